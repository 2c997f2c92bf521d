/* Prints the native layouts the C# binding depends on, one "key=value" per line.
   Build (from a directory holding idlc's output for ros2_types.idl, generated with -t: no type information):
     idlc -t ros2_types.idl && gcc -I. dds_layout.c -o dds_layout -lddsc
   DdsLayoutTests compares the output with DdsLayout.cs and Ros2TypeDescriptors.cs. */
#include <stdio.h>
#include <stddef.h>
#include "dds/dds.h"
#include "dds/ddsi/ddsi_serdata.h"
#include "dds/ddsrt/iovec.h"
#include "ros2_types.c" /* static op arrays: their sizeof gives the word count */

#define P(name, value) printf("%s=%lu\n", name, (unsigned long)(value))

static void desc(const char *name, const dds_topic_descriptor_t *d, const uint32_t *ops, size_t words)
{
  printf("desc.%s.typename=%s\n", name, d->m_typename);
  printf("desc.%s.size=%u\ndesc.%s.align=%u\ndesc.%s.flagset=%u\ndesc.%s.nkeys=%u\ndesc.%s.nops=%u\n",
         name, d->m_size, name, d->m_align, name, d->m_flagset, name, d->m_nkeys, name, d->m_nops);
  printf("desc.%s.ops=", name);
  for (size_t i = 0; i < words; i++)
    printf(i ? ",%u" : "%u", ops[i]);
  printf("\n");
}

#define DESC(n, t) desc(n, &t##_desc, t##_ops, sizeof(t##_ops) / sizeof(uint32_t))

int main(void)
{
  P("dds_topic_descriptor_t.size", sizeof(dds_topic_descriptor_t));
  P("dds_topic_descriptor_t.m_size", offsetof(dds_topic_descriptor_t, m_size));
  P("dds_topic_descriptor_t.m_align", offsetof(dds_topic_descriptor_t, m_align));
  P("dds_topic_descriptor_t.m_flagset", offsetof(dds_topic_descriptor_t, m_flagset));
  P("dds_topic_descriptor_t.m_nkeys", offsetof(dds_topic_descriptor_t, m_nkeys));
  P("dds_topic_descriptor_t.m_typename", offsetof(dds_topic_descriptor_t, m_typename));
  P("dds_topic_descriptor_t.m_keys", offsetof(dds_topic_descriptor_t, m_keys));
  P("dds_topic_descriptor_t.m_nops", offsetof(dds_topic_descriptor_t, m_nops));
  P("dds_topic_descriptor_t.m_ops", offsetof(dds_topic_descriptor_t, m_ops));
  P("dds_topic_descriptor_t.m_meta", offsetof(dds_topic_descriptor_t, m_meta));
  P("dds_topic_descriptor_t.type_information", offsetof(dds_topic_descriptor_t, type_information));
  P("dds_topic_descriptor_t.type_mapping", offsetof(dds_topic_descriptor_t, type_mapping));
  P("dds_topic_descriptor_t.restrict_data_representation", offsetof(dds_topic_descriptor_t, restrict_data_representation));
  P("ddsi_serdata.size", sizeof(struct ddsi_serdata));
  P("ddsi_serdata.type", offsetof(struct ddsi_serdata, type));
  P("ddsi_serdata.kind", offsetof(struct ddsi_serdata, kind));
  P("ddsrt_iovec_t.size", sizeof(ddsrt_iovec_t));
  P("ddsrt_iovec_t.iov_base", offsetof(ddsrt_iovec_t, iov_base));
  P("ddsrt_iovec_t.iov_len", offsetof(ddsrt_iovec_t, iov_len));
  P("ddsrt_msg_iovlen_t.size", sizeof(ddsrt_msg_iovlen_t));
  P("dds_sample_info_t.size", sizeof(dds_sample_info_t));
  P("dds_sample_info_t.sample_state", offsetof(dds_sample_info_t, sample_state));
  P("dds_sample_info_t.valid_data", offsetof(dds_sample_info_t, valid_data));
  P("dds_sample_info_t.source_timestamp", offsetof(dds_sample_info_t, source_timestamp));
  P("dds_sample_info_t.instance_handle", offsetof(dds_sample_info_t, instance_handle));
  P("dds_sample_info_t.publication_handle", offsetof(dds_sample_info_t, publication_handle));
  P("dds_sample_info_t.disposed_generation_count", offsetof(dds_sample_info_t, disposed_generation_count));
  P("dds_sample_info_t.no_writers_generation_count", offsetof(dds_sample_info_t, no_writers_generation_count));
  P("dds_sample_info_t.sample_rank", offsetof(dds_sample_info_t, sample_rank));
  P("dds_sample_info_t.generation_rank", offsetof(dds_sample_info_t, generation_rank));
  P("dds_sample_info_t.absolute_generation_rank", offsetof(dds_sample_info_t, absolute_generation_rank));
  P("dds_publication_matched_status_t.size", sizeof(dds_publication_matched_status_t));
  P("dds_subscription_matched_status_t.size", sizeof(dds_subscription_matched_status_t));
  P("dds_publication_matched_status_t.current_count", offsetof(dds_publication_matched_status_t, current_count));
  P("dds_publication_matched_status_t.last_subscription_handle", offsetof(dds_publication_matched_status_t, last_subscription_handle));
  P("dds_subscription_matched_status_t.current_count", offsetof(dds_subscription_matched_status_t, current_count));
  P("dds_subscription_matched_status_t.last_publication_handle", offsetof(dds_subscription_matched_status_t, last_publication_handle));
  P("DDS_HAS_SHM",
#ifdef DDS_HAS_SHM
    1
#else
    0
#endif
  );
  DESC("JointState", sensor_msgs_msg_dds__JointState_);
  DESC("Imu", sensor_msgs_msg_dds__Imu_);
  DESC("BatteryState", sensor_msgs_msg_dds__BatteryState_);
  DESC("Float64MultiArray", std_msgs_msg_dds__Float64MultiArray_);
  DESC("JointTrajectory", trajectory_msgs_msg_dds__JointTrajectory_);
  DESC("DiagnosticArray", diagnostic_msgs_msg_dds__DiagnosticArray_);
  return 0;
}
