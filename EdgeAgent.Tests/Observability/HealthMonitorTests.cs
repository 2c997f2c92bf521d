using EdgeAgent.Configuration;
using EdgeAgent.Hal;
using EdgeAgent.Hosting;
using EdgeAgent.Observability;
using EdgeAgent.Tests.Control;
using EdgeAgent.Tests.Control.Safety;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Time.Testing;

namespace EdgeAgent.Tests.Observability;

/// <summary>What /healthz, /readyz, `status` and the systemd watchdog decide, on the simulated robot and a simulated clock.</summary>
public sealed class HealthMonitorTests
{
    private FaultInjectingHal _hal = null!;
    private ControlRig _rig = null!;
    private FakeTimeProvider _time = null!;
    private HealthMonitor _monitor = null!;

    [SetUp]
    public void SetUp()
    {
        _rig = new ControlRig(wrapHal: inner => _hal = new FaultInjectingHal(inner));
        _time = new FakeTimeProvider();
        _monitor = new HealthMonitor(_rig.Parts, _time);
    }

    [TearDown]
    public void TearDown() => _monitor.Dispose();

    [Test]
    public void Running_AtRate_ReadyWithBothRates()
    {
        HealthSample h = RunSamples(6);

        Assert.Multiple(() =>
        {
            Assert.That(h.Ready, Is.True, h.Reason);
            Assert.That(h.Reason, Is.Empty);
            Assert.That(h.MotorRateHz, Is.EqualTo(1000).Within(1));
            Assert.That(h.BalanceRateHz, Is.EqualTo(100).Within(1));
        });
    }

    [Test]
    public void BeforeTheLoopsRun_NotReadyStarting()
    {
        HealthSample h = _monitor.Sample();

        Assert.That(h.Ready, Is.False);
        Assert.That(h.Reason, Does.StartWith("starting"));
    }

    [Test]
    public void HalGoesSilent_NotFreshNotReadyAndNotHealthy()
    {
        RunSamples(6);
        _hal.ForcedStatus = HalStatus.NoNewData;
        HealthSample h = RunSamples(1);

        Assert.Multiple(() =>
        {
            Assert.That(h.Alive, Is.True, "the motor loop still ticks");
            Assert.That(h.HalFresh, Is.False);
            Assert.That(h.Healthy, Is.False, "the watchdog is not petted");
            Assert.That(h.Ready, Is.False);
            Assert.That(h.Reason, Does.Contain("no fresh HAL measurement"));
        });
    }

    [Test]
    public void MotorLoopStalls_NotAlive()
    {
        RunSamples(6);
        _time.Advance(HealthMonitor.Interval);
        HealthSample h = _monitor.Sample();

        Assert.Multiple(() =>
        {
            Assert.That(h.Alive, Is.False);
            Assert.That(h.Healthy, Is.False);
            Assert.That(h.Reason, Does.Contain("motor loop has not ticked"));
        });
    }

    [Test]
    public void SafetyLatched_AliveAndFreshButNotReadyNamingTheCause()
    {
        RunSamples(6);
        _rig.Robot.SetBatteryLevel(0.01);
        HealthSample h = RunSamples(2);

        Assert.Multiple(() =>
        {
            Assert.That(h.Alive, Is.True);
            Assert.That(h.HalFresh, Is.True);
            Assert.That(h.Healthy, Is.True, "a latched robot is a healthy agent: the watchdog keeps being petted");
            Assert.That(h.Ready, Is.False);
            Assert.That(h.Reason, Does.Contain("SAFE_STOP").And.Contain("battery_critical"));
        });
    }

    [Test]
    public void LoopOffRate_NotReadySayingTheRate()
    {
        RunSamples(6);

        // A second of wall time in which the loop ran only 700 ticks.
        for (int i = 0; i < 4; i++)
        {
            _rig.Runner.Run(TimeSpan.FromMilliseconds(175));
            _time.Advance(HealthMonitor.Interval);
            _monitor.Sample();
        }

        HealthSample h = _monitor.Current;
        Assert.That(h.Ready, Is.False);
        Assert.That(h.LoopsAtRate, Is.False);
        Assert.That(h.Reason, Does.Contain("loops off rate: motor 700 Hz of 1000"));
    }

    [Test]
    public void Watchdog_PetsWhileHealthyOnly()
    {
        var notifier = new RecordingNotifier();
        using var watchdog = new SystemdWatchdog(notifier, _rig.Parts, _time);
        _rig.Runner.Run(TimeSpan.FromMilliseconds(100));
        bool healthy = watchdog.PetIfHealthy();
        bool idle = watchdog.PetIfHealthy();
        _hal.ForcedStatus = HalStatus.NoNewData;
        _rig.Runner.Run(TimeSpan.FromMilliseconds(100));
        bool stale = watchdog.PetIfHealthy();
        _hal.ForcedStatus = null;
        _rig.Runner.Run(TimeSpan.FromMilliseconds(100));
        bool back = watchdog.PetIfHealthy();

        Assert.Multiple(() =>
        {
            Assert.That(healthy, Is.True);
            Assert.That(idle, Is.False, "no motor tick since the last ping");
            Assert.That(stale, Is.False, "ticking with a stale HAL is not healthy");
            Assert.That(back, Is.True);
            Assert.That(notifier.Sent, Is.EqualTo(new[] { "WATCHDOG=1", "WATCHDOG=1" }));
        });
    }

    [TestCase("0.0.0.0:9464", false, true)]
    [TestCase("192.168.1.10:9464", false, true)]
    [TestCase("0.0.0.0:9464", true, false)]
    [TestCase("[::1]:9464", false, false)]
    [TestCase("127.0.0.1:0", false, false)]
    [TestCase("", false, false)]
    [TestCase("localhost:9464", false, true)]
    [TestCase("127.0.0.1", false, true)]
    public void ListenAddress_NonLoopbackRefusedUnlessAllowed(string listen, bool allowRemote, bool refused)
    {
        var options = new ObservabilityOptions { Listen = listen, AllowRemote = allowRemote };
        var agent = ControlRig.Fresh();
        agent.Observability = options;

        var issues = AgentOptionsValidator.Collect(agent);

        Assert.That(issues.Any(i => i.KeyPath == "observability.listen"), Is.EqualTo(refused), string.Join("; ", issues.Select(i => i.KeyPath + ": " + i.Problem)));
    }

    private HealthSample RunSamples(int count)
    {
        for (int i = 0; i < count; i++)
        {
            _rig.Runner.Run(HealthMonitor.Interval);
            _time.Advance(HealthMonitor.Interval);
            _monitor.Sample();
        }

        return _monitor.Current;
    }

    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public List<string> Sent { get; } = [];

        public bool IsEnabled => true;

        public void Notify(ServiceState state) => Sent.Add(state.ToString());
    }
}
