/* A Float64MultiArray subscriber whose wire code EdgeAgent did not write: idlc-generated types, Cyclone's
   deserializer. It reads what the agent's ROS 2 driver publishes as joint commands.
   Build: idlc -t ros2_types.idl && gcc -I. commands_sub.c ros2_types.c -o commands_sub -lddsc
   Usage: commands_sub <domain id> <dds topic, e.g. rt/forward_command_controller/commands>
   Prints "data N v0 v1 ..." (%.17g) for the first sample and exits 0; 2 bad usage, 3 DDS error, 4 nothing in 10 s. */
#include <stdio.h>
#include <stdlib.h>
#include "dds/dds.h"
#include "ros2_types.h"

int main(int argc, char **argv)
{
  if (argc != 3) { fprintf(stderr, "usage: %s <domain id> <topic>\n", argv[0]); return 2; }
  dds_entity_t pp = dds_create_participant((dds_domainid_t)atoi(argv[1]), NULL, NULL);
  if (pp < 0) { fprintf(stderr, "participant: %s\n", dds_strretcode(pp)); return 3; }
  dds_entity_t tp = dds_create_topic(pp, &std_msgs_msg_dds__Float64MultiArray__desc, argv[2], NULL, NULL);
  dds_qos_t *qos = dds_create_qos();
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
  dds_qset_history(qos, DDS_HISTORY_KEEP_LAST, 10);
  dds_entity_t rd = dds_create_reader(pp, tp, qos, NULL);
  dds_delete_qos(qos);
  if (tp < 0 || rd < 0) { fprintf(stderr, "topic/reader: %d %d\n", tp, rd); dds_delete(pp); return 3; }

  void *samples[1] = { NULL };
  dds_sample_info_t info[1];
  for (int i = 0; i < 1000; i++) {
    dds_return_t n = dds_take(rd, samples, info, 1, 1);
    if (n > 0 && info[0].valid_data) {
      std_msgs_msg_dds__Float64MultiArray_ *msg = samples[0];
      printf("data %u", (unsigned)msg->data._length);
      for (uint32_t k = 0; k < msg->data._length; k++) printf(" %.17g", msg->data._buffer[k]);
      printf("\n");
      fflush(stdout);
      dds_return_loan(rd, samples, n);
      dds_delete(pp);
      return 0;
    }
    if (n > 0) dds_return_loan(rd, samples, n);
    dds_sleepfor(DDS_MSECS(10));
  }
  fprintf(stderr, "no command within 10 s\n");
  dds_delete(pp);
  return 4;
}
