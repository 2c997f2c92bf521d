using System.Globalization;
using System.Runtime.InteropServices;
using EdgeAgent.Hal.Ros2.Dds;

namespace EdgeAgent.Tests.Hal.Ros2.Dds;

/// <summary>
/// The C# structs and transcribed descriptors against what the installed Cyclone headers say: native/dds_layout.c
/// is compiled and run when gcc and idlc exist; otherwise the committed native/dds_layout.expected.txt is used.
/// </summary>
public class DdsLayoutTests
{
    private static readonly Lazy<Dictionary<string, string>> Measured = new(Measure);

    [Test]
    public void TopicDescriptor_CSharpLayout_MatchesC()
    {
        var m = Measured.Value;
        Assert.Multiple(() =>
        {
            Assert.That(Marshal.SizeOf<DdsTopicDescriptorNative>(), Is.EqualTo(Int(m, "dds_topic_descriptor_t.size")));
            Assert.That(Int(m, "dds_topic_descriptor_t.size"), Is.EqualTo(DdsLayout.TopicDescriptorSize));
            Check<DdsTopicDescriptorNative>(m, "dds_topic_descriptor_t", new()
            {
                ["m_size"] = "Size", ["m_align"] = "Align", ["m_flagset"] = "FlagSet", ["m_nkeys"] = "KeyCount",
                ["m_typename"] = "TypeName", ["m_keys"] = "Keys", ["m_nops"] = "OpCount", ["m_ops"] = "Ops",
                ["m_meta"] = "Meta", ["type_information"] = "TypeInformation", ["type_mapping"] = "TypeMapping",
                ["restrict_data_representation"] = "RestrictDataRepresentation",
            });
        });
    }

    [Test]
    public void Serdata_TypeOffsetAndSize_MatchC()
    {
        var m = Measured.Value;
        Assert.Multiple(() =>
        {
            Assert.That(Int(m, "ddsi_serdata.type"), Is.EqualTo(DdsLayout.SerdataTypeOffset));
            Assert.That(Int(m, "ddsi_serdata.size"), Is.EqualTo(DdsLayout.SerdataSize), "DDS_HAS_SHM=" + m["DDS_HAS_SHM"]);
            Assert.That(Marshal.SizeOf<DdsIovec>(), Is.EqualTo(Int(m, "ddsrt_iovec_t.size")));
            Assert.That(Marshal.OffsetOf<DdsIovec>("Length").ToInt32(), Is.EqualTo(Int(m, "ddsrt_iovec_t.iov_len")));
            Assert.That(IntPtr.Size, Is.EqualTo(Int(m, "ddsrt_msg_iovlen_t.size")), "niov is passed as nuint");
        });
    }

    [Test]
    public void SampleInfoAndMatchedStatus_CSharpLayout_MatchC()
    {
        var m = Measured.Value;
        Assert.Multiple(() =>
        {
            Assert.That(Marshal.SizeOf<DdsSampleInfo>(), Is.EqualTo(Int(m, "dds_sample_info_t.size")));
            Assert.That(Int(m, "dds_sample_info_t.size"), Is.EqualTo(DdsLayout.SampleInfoSize));
            Check<DdsSampleInfo>(m, "dds_sample_info_t", new()
            {
                ["sample_state"] = "SampleState", ["valid_data"] = "_validData", ["source_timestamp"] = "SourceTimestamp",
                ["instance_handle"] = "InstanceHandle", ["publication_handle"] = "PublicationHandle",
                ["disposed_generation_count"] = "DisposedGenerationCount", ["no_writers_generation_count"] = "NoWritersGenerationCount",
                ["sample_rank"] = "SampleRank", ["generation_rank"] = "GenerationRank", ["absolute_generation_rank"] = "AbsoluteGenerationRank",
            });
            Assert.That(Marshal.SizeOf<DdsMatchedStatus>(), Is.EqualTo(Int(m, "dds_publication_matched_status_t.size")));
            Assert.That(Marshal.SizeOf<DdsMatchedStatus>(), Is.EqualTo(Int(m, "dds_subscription_matched_status_t.size")));
            Check<DdsMatchedStatus>(m, "dds_publication_matched_status_t", new() { ["current_count"] = "CurrentCount", ["last_subscription_handle"] = "LastHandle" });
            Check<DdsMatchedStatus>(m, "dds_subscription_matched_status_t", new() { ["current_count"] = "CurrentCount", ["last_publication_handle"] = "LastHandle" });
        });
    }

    [TestCase("JointState")]
    [TestCase("Imu")]
    [TestCase("BatteryState")]
    [TestCase("Float64MultiArray")]
    [TestCase("JointTrajectory")]
    [TestCase("DiagnosticArray")]
    public void Ros2TypeDescriptors_Transcription_MatchesIdlc(string name)
    {
        var m = Measured.Value;
        var d = Ros2TypeDescriptors.All[name];
        var prefix = "desc." + name + ".";
        Assert.Multiple(() =>
        {
            Assert.That(d.TypeName, Is.EqualTo(m[prefix + "typename"]));
            Assert.That(d.Size, Is.EqualTo(uint.Parse(m[prefix + "size"], CultureInfo.InvariantCulture)));
            Assert.That(d.Align, Is.EqualTo(uint.Parse(m[prefix + "align"], CultureInfo.InvariantCulture)));
            Assert.That(d.FlagSet, Is.EqualTo(uint.Parse(m[prefix + "flagset"], CultureInfo.InvariantCulture)));
            Assert.That(m[prefix + "nkeys"], Is.EqualTo("0"));
            Assert.That(d.OpCount, Is.EqualTo(uint.Parse(m[prefix + "nops"], CultureInfo.InvariantCulture)));
            Assert.That(d.Ops, Is.EqualTo(m[prefix + "ops"].Split(',').Select(s => uint.Parse(s, CultureInfo.InvariantCulture)).ToArray()));
        });
    }

    private static void Check<T>(Dictionary<string, string> m, string cStruct, Dictionary<string, string> fields)
    {
        foreach (var (cField, csField) in fields)
        {
            Assert.That(Marshal.OffsetOf<T>(csField).ToInt32(), Is.EqualTo(Int(m, cStruct + "." + cField)), $"{cStruct}.{cField}");
        }
    }

    private static int Int(Dictionary<string, string> m, string key) => int.Parse(m[key], CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Measure()
    {
        var expected = Path.Combine(DdsTestEnvironment.NativeSources, "dds_layout.expected.txt");
        string text;
        if (DdsTestEnvironment.FindTool("gcc") is null || DdsTestEnvironment.FindTool("idlc") is null)
        {
            text = File.ReadAllText(expected);
        }
        else
        {
            var dir = DdsTestEnvironment.CreateTempDirectory();
            try
            {
                var exe = DdsTestEnvironment.BuildNative("dds_layout", dir);
                var run = DdsTestEnvironment.Run(exe, string.Empty, dir, TimeSpan.FromSeconds(30));
                Assert.That(run.ExitCode, Is.Zero, run.Output);
                text = run.Output;
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);
    }
}
