// ROS 2 over DDS: Cyclone DDS through P/Invoke, ROS 2 names and XCDR1 encoding (see shared/docs/ROS2_DDS.md).
[assembly: System.CLSCompliant(false)]
