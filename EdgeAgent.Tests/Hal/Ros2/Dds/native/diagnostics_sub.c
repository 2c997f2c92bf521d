/* A diagnostic_msgs/DiagnosticArray subscriber whose wire code EdgeAgent did not write: idlc-generated types,
   Cyclone's deserializer. It reads what the agent publishes on /diagnostics, as rqt_robot_monitor would.
   Build: idlc -t ros2_types.idl && gcc -I. diagnostics_sub.c ros2_types.c -o diagnostics_sub -lddsc
   Usage: diagnostics_sub <domain id> <dds topic, e.g. rt/diagnostics> <arrays to take> <timeout s>
   Prints, per array:  "array <stamp sec> <frame_id> <status count>", then per status
   "status\t<level>\t<name>\t<message>\t<hardware_id>\t<value count>" and per value "kv\t<key>\t<value>".
   Exits 0 after the requested arrays; 2 bad usage, 3 DDS error, 4 not enough arrays in time. */
#include <stdio.h>
#include <stdlib.h>
#include "dds/dds.h"
#include "ros2_types.h"

int main(int argc, char **argv)
{
  if (argc != 5) { fprintf(stderr, "usage: %s <domain id> <topic> <arrays> <timeout s>\n", argv[0]); return 2; }
  int wanted = atoi(argv[3]);
  int timeout_ms = atoi(argv[4]) * 1000;
  dds_entity_t pp = dds_create_participant((dds_domainid_t)atoi(argv[1]), NULL, NULL);
  if (pp < 0) { fprintf(stderr, "participant: %s\n", dds_strretcode(pp)); return 3; }
  dds_entity_t tp = dds_create_topic(pp, &diagnostic_msgs_msg_dds__DiagnosticArray__desc, argv[2], NULL, NULL);
  dds_qos_t *qos = dds_create_qos();
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
  dds_qset_history(qos, DDS_HISTORY_KEEP_LAST, 10);
  dds_entity_t rd = dds_create_reader(pp, tp, qos, NULL);
  dds_delete_qos(qos);
  if (tp < 0 || rd < 0) { fprintf(stderr, "topic/reader: %d %d\n", tp, rd); dds_delete(pp); return 3; }

  int got = 0;
  for (int waited = 0; waited < timeout_ms && got < wanted; waited += 10) {
    void *samples[1] = { NULL };
    dds_sample_info_t info[1];
    dds_return_t n = dds_take(rd, samples, info, 1, 1);
    if (n > 0 && info[0].valid_data) {
      diagnostic_msgs_msg_dds__DiagnosticArray_ *msg = samples[0];
      printf("array %d %s %u\n", msg->header.stamp.sec, msg->header.frame_id, (unsigned)msg->status._length);
      for (uint32_t i = 0; i < msg->status._length; i++) {
        diagnostic_msgs_msg_dds__DiagnosticStatus_ *s = &msg->status._buffer[i];
        printf("status\t%u\t%s\t%s\t%s\t%u\n", (unsigned)s->level, s->name, s->message, s->hardware_id, (unsigned)s->values._length);
        for (uint32_t k = 0; k < s->values._length; k++)
          printf("kv\t%s\t%s\n", s->values._buffer[k].key, s->values._buffer[k].value);
      }
      fflush(stdout);
      got++;
    }
    if (n > 0) dds_return_loan(rd, samples, n);
    if (got < wanted) dds_sleepfor(DDS_MSECS(10));
  }
  dds_delete(pp);
  if (got < wanted) { fprintf(stderr, "%d of %d arrays within %s s\n", got, wanted, argv[4]); return 4; }
  return 0;
}
