using EdgeAgent.Configuration;
using EdgeAgent.Hal.Ros2;
using EdgeAgent.Hal.Ros2.Dds;
using EdgeAgent.Hal;
using EdgeAgent.Hosting;

namespace EdgeAgent.Tests.Hal.Ros2.Driver;

public class Ros2HalOptionsTests
{
    [TestCase("sensor_data", false, 5)]
    [TestCase("default", true, 10)]
    [TestCase("system_default", true, 1)]
    [TestCase("reliable:7", true, 7)]
    [TestCase("best_effort:3", false, 3)]
    [TestCase(" Reliable:2 ", true, 2)]
    public void ParseQos_KnownProfile_Resolves(string text, bool reliable, int depth)
    {
        var qos = Ros2HalOptions.ParseQos(text, "hal.ros2.state_qos");

        Assert.That((qos.Reliability, qos.Depth), Is.EqualTo((reliable ? DdsReliability.Reliable : DdsReliability.BestEffort, depth)));
    }

    [TestCase("")]
    [TestCase("fast")]
    [TestCase("reliable:0")]
    [TestCase("reliable:")]
    [TestCase("best_effort:x")]
    [TestCase("keep_all:3")]
    public void ParseQos_Invalid_ThrowsNamingTheKey(string text)
    {
        var ex = Assert.Throws<ArgumentException>(() => Ros2HalOptions.ParseQos(text, "hal.ros2.command_qos"));

        Assert.That(ex!.Message, Does.Contain("hal.ros2.command_qos"));
    }

    [Test]
    public void Constructor_InvalidStateQos_ThrowsNamingTheKey()
    {
        var options = new Ros2HalOptions { JointNames = ["a"], StateQos = "bogus" };

        var ex = Assert.Throws<ArgumentException>(() => _ = new Ros2RobotHal(options, new ZeroClock()));

        Assert.That(ex!.Message, Does.Contain("hal.ros2.state_qos"));
    }

    [TestCase(5, "7", 5u)]
    [TestCase(-1, "7", 7u)]
    [TestCase(-1, null, 0u)]
    [TestCase(-1, " ", 0u)]
    public void ResolveDomainId_Cases_Resolved(int configured, string? env, uint expected)
    {
        var options = new Ros2HalOptions { JointNames = ["a"], DomainId = configured };

        Assert.That(options.ResolveDomainId(env), Is.EqualTo(expected));
    }

    [Test]
    public void ResolveDomainId_BadEnvironment_Throws()
    {
        var options = new Ros2HalOptions { JointNames = ["a"] };

        Assert.Throws<ArgumentException>(() => options.ResolveDomainId("300"));
    }

    [Test]
    public void BuildLoadError_MissingLibrary_NamesPathsTriedAndFix()
    {
        var handle = DdsLibrary.LoadFirst(["/nonexistent/libddsc.so.0"], out var error);

        var message = Ros2RobotHal.BuildLoadError(error);

        Assert.That(handle, Is.EqualTo(IntPtr.Zero));
        Assert.That(message, Does.Contain("hal.driver ros2").And.Contain("libddsc").And.Contain("/nonexistent/libddsc.so.0"));
        Assert.That(message, Does.Contain(DdsLibrary.PathVariable));
    }

    [TestCase(0.3)]
    [TestCase(-1.2)]
    public void PitchFromQuaternion_RotationAboutY_ReturnsAngle(double pitch)
    {
        // Unnormalised on purpose: scale 2.
        var result = Ros2StateDecoder.PitchFromQuaternion(0, 2 * Math.Sin(pitch / 2), 0, 2 * Math.Cos(pitch / 2));

        Assert.That(result, Is.EqualTo(pitch).Within(1e-12));
    }

    [Test]
    public void Ros2OptionsFrom_AgentOptions_MapsEveryField()
    {
        var options = new AgentOptions();
        options.Hal.Ros2.DomainId = 12;
        options.Hal.Ros2.CommandMode = Ros2HalCommandMode.JointTrajectory;
        options.Hal.Ros2.StateQos = "best_effort:2";
        options.Hal.Ros2.CommandTopic = "/jtc/joint_trajectory";

        var mapped = HalFactory.Ros2OptionsFrom(options);

        Assert.That(mapped.JointNames, Is.EqualTo(options.Robot.Joints.Select(j => j.Name)));
        Assert.That(mapped.DomainId, Is.EqualTo(12));
        Assert.That(mapped.CommandMode, Is.EqualTo(Ros2HalCommandMode.JointTrajectory));
        Assert.That(mapped.StateQos, Is.EqualTo("best_effort:2"));
        Assert.That(mapped.CommandTopic, Is.EqualTo("/jtc/joint_trajectory"));
        Assert.That(mapped.MaxMessageAge, Is.EqualTo(options.Hal.Ros2.MaxMessageAge));
    }

    private sealed class ZeroClock : EdgeAgent.Hal.IMonotonicClock
    {
        public long NowNs => 0;
    }
}
