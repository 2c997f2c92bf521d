/* A JointState publisher whose wire code EdgeAgent did not write: idlc-generated types, Cyclone's serializer.
   Build: idlc -t ros2_types.idl && gcc -I. jointstate_pub.c ros2_types.c -o jointstate_pub -lddsc
   Usage: jointstate_pub <domain id>. Publishes one JointState on rt/joint_states once a reader matches:
   frame_id "base", stamp 7 s 8 ns, name [shoulder, elbow], position [1.5, -2.25], velocity [0.5], effort [].
   Exit codes: 0 sent and acknowledged, 2 bad usage, 3 DDS error, 4 no reader within 10 s. */
#include <stdio.h>
#include <stdlib.h>
#include "dds/dds.h"
#include "ros2_types.h"

int main(int argc, char **argv)
{
  if (argc != 2) { fprintf(stderr, "usage: %s <domain id>\n", argv[0]); return 2; }
  dds_entity_t pp = dds_create_participant((dds_domainid_t)atoi(argv[1]), NULL, NULL);
  if (pp < 0) { fprintf(stderr, "participant: %s\n", dds_strretcode(pp)); return 3; }
  dds_entity_t tp = dds_create_topic(pp, &sensor_msgs_msg_dds__JointState__desc, "rt/joint_states", NULL, NULL);
  dds_qos_t *qos = dds_create_qos();
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_MSECS(100));
  dds_qset_history(qos, DDS_HISTORY_KEEP_LAST, 10);
  dds_entity_t wr = dds_create_writer(pp, tp, qos, NULL);
  dds_delete_qos(qos);
  if (tp < 0 || wr < 0) { fprintf(stderr, "topic/writer: %d %d\n", tp, wr); dds_delete(pp); return 3; }

  dds_publication_matched_status_t st = { 0 };
  for (int i = 0; i < 1000 && st.current_count == 0; i++) {
    dds_get_publication_matched_status(wr, &st);
    if (st.current_count == 0) dds_sleepfor(DDS_MSECS(10));
  }
  if (st.current_count == 0) { fprintf(stderr, "no reader matched\n"); dds_delete(pp); return 4; }

  char *names[] = { "shoulder", "elbow" };
  double position[] = { 1.5, -2.25 };
  double velocity[] = { 0.5 };
  sensor_msgs_msg_dds__JointState_ msg = { 0 };
  msg.header.stamp.sec = 7;
  msg.header.stamp.nanosec = 8;
  msg.header.frame_id = "base";
  msg.name._length = msg.name._maximum = 2; msg.name._buffer = names;
  msg.position._length = msg.position._maximum = 2; msg.position._buffer = position;
  msg.velocity._length = msg.velocity._maximum = 1; msg.velocity._buffer = velocity;
  dds_return_t rc = dds_write(wr, &msg);
  if (rc == 0) rc = dds_wait_for_acks(wr, DDS_SECS(5));
  printf("write: %s\n", dds_strretcode(rc));
  fflush(stdout);
  dds_delete(pp);
  return rc == 0 ? 0 : 3;
}
