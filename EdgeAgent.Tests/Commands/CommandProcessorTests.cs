using EdgeAgent.Commands;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Protocol.Protos;
using Status = EdgeAgent.Protocol.Protos.CommandResult.Types.Status;

namespace EdgeAgent.Tests.Commands;

/// <summary>Verified commands act through the same paths as a local operator: the supervisor, and the reloader's validation and atomic swap.</summary>
public sealed class CommandProcessorTests
{
    [Test]
    public void SafeStop_LatchesOnTheMotorLoopsTick()
    {
        using var rig = new CommandRig();
        rig.Runner.Run(TimeSpan.FromSeconds(0.3));

        CommandResult result = rig.Run(rig.Sign(CommandType.SafeStop, w => w.WriteString("reason", "aisle 4 blocked")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(Status.Done));
            Assert.That(result.Detail, Does.StartWith("stopped: SAFE_STOP latched").And.EndWith("; reason: aisle 4 blocked"));
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.SafeStop));
            Assert.That(rig.Parts.Safety.Cause, Is.EqualTo(SafetyCause.Requested));
            Assert.That(rig.Parts.Motor.Commands.SafeOutput, Is.True);
            Assert.That(rig.State.Done, Is.EqualTo(1));
        });
    }

    [Test]
    public void SetTuning_NewGainInUseWithinOneBalancePeriod()
    {
        // Two identical robots (same seed, same clock); only one is tuned. Their outputs match before, and
        // differ within one balance period after.
        using var tuned = new CommandRig();
        using var control = new CommandRig();
        tuned.Runner.Run(TimeSpan.FromSeconds(0.5));
        control.Runner.Run(TimeSpan.FromSeconds(0.5));
        Assert.That(tuned.Parts.Motor.Commands.Effort, Is.EqualTo(control.Parts.Motor.Commands.Effort), "the simulation is deterministic");

        CommandResult result = tuned.Processor.HandleAsync(tuned.Sign(CommandType.SetTuning, w => w.WriteString("overlay", "balance:\n  tilt_gain: 140.0\n")), CancellationToken.None).GetAwaiter().GetResult();
        int ticks = (int)Math.Ceiling(tuned.Options.Motor.RateHz / tuned.Options.Balance.RateHz);
        for (int i = 0; i < ticks + 1; i++)
        {
            tuned.Runner.Step();
            control.Runner.Step();
        }

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(Status.Done), result.Detail);
            Assert.That(result.Detail, Does.Contain("balance.tilt_gain 90.2 → 140").And.Contain("(tuning version 1)"));
            Assert.That(tuned.Parts.Tuning.Current.Balance.TiltGain, Is.EqualTo(140.0));
            Assert.That(tuned.Parts.Motor.Commands.Effort, Is.Not.EqualTo(control.Parts.Motor.Commands.Effort), "the new gain acts within one balance period");
            Assert.That(tuned.Reloader.Overlays, Has.Count.EqualTo(1));
        });
    }

    [TestCase("balance:\n  tilt_gain: -5\n", "balance.tilt_gain")]
    [TestCase("balance:\n  tilt_gian: 95\n", "tilt_gian")]
    [TestCase("balance: {tilt_gain: [\n", "(set_tuning):2:1: (root): invalid YAML")]
    [TestCase("sampling:\n  rate_hz: 50\n", "needs a restart: sampling.rate_hz")]
    [TestCase("commands:\n  allow: [safe_stop, reset, set_tuning, set_geofence]\n  max_lifetime: 1h\n", "cannot change the robot's command policy")]
    [TestCase("balance:\n  tilt_gain: 95\nsampling:\n  rate_hz: 50\n", "needs a restart")]
    public void SetTuning_InvalidOverlay_RejectedWholeAndNothingChanges(string overlay, string named)
    {
        using var rig = new CommandRig();
        ControlTuning before = rig.Parts.Tuning.Current;

        CommandResult result = rig.Run(rig.Sign(CommandType.SetTuning, w => w.WriteString("overlay", overlay)));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(Status.Rejected), result.Detail);
            Assert.That(result.Detail, Does.Contain(named));
            Assert.That(rig.Parts.Tuning.Current, Is.SameAs(before), "nothing was swapped in");
            Assert.That(rig.Reloader.Overlays, Is.Empty);
        });
    }

    [Test]
    public void SetTuning_NoOverlay_Rejected()
    {
        using var rig = new CommandRig();

        CommandResult result = rig.Run(rig.Sign(CommandType.SetTuning));

        Assert.That(result.Detail, Does.Contain("carries no overlay"));
    }

    [Test]
    public void SetTuning_OverlayStaysOnTopOfALaterFileReload()
    {
        using var rig = new CommandRig();
        Assert.That(rig.Run(rig.Sign(CommandType.SetTuning, w => w.WriteString("overlay", "{\"balance\": {\"tilt_gain\": 120}}"))).Status, Is.EqualTo(Status.Done));
        File.WriteAllText(rig.ConfigPath, File.ReadAllText(rig.ConfigPath).Replace("      kp: 60.0", "      kp: 70.0", StringComparison.Ordinal));

        bool reloaded = rig.Reloader.ReloadNow();

        Assert.Multiple(() =>
        {
            Assert.That(reloaded, Is.True, rig.Reloader.LastResult?.Message);
            Assert.That(rig.Parts.Tuning.Current.Motor.Kp[0], Is.EqualTo(70.0), "the file's edit");
            Assert.That(rig.Parts.Tuning.Current.Balance.TiltGain, Is.EqualTo(120.0), "the fleet's overlay, still on top");
        });
    }

    [Test]
    public void SetGeofence_ThenLeavingIt_StopsTheRobot_AndResetWaitsForTheCauseToGo()
    {
        using var rig = new CommandRig();
        rig.Runner.Run(TimeSpan.FromSeconds(0.2));

        CommandResult fence = rig.Run(rig.Sign(CommandType.SetGeofence, w =>
        {
            w.WriteStartArray("geofence");
            foreach ((double x, double y) in new[] { (-2.0, -2.0), (2.0, -2.0), (2.0, 2.0), (-2.0, 2.0) })
            {
                w.WriteStartArray();
                w.WriteNumberValue(x);
                w.WriteNumberValue(y);
                w.WriteEndArray();
            }

            w.WriteEndArray();
        }));
        rig.Robot.Teleport(5.0, 0.0);
        rig.Runner.Run(TimeSpan.FromSeconds(0.1));
        SafetyCause cause = rig.Parts.Safety.Cause;
        SafetyState outside = rig.Parts.Safety.State;
        CommandResult early = rig.Run(rig.Sign(CommandType.Reset));
        rig.Robot.Teleport(0.0, 0.0);
        rig.Runner.Run(TimeSpan.FromSeconds(2));
        CommandResult reset = rig.Run(rig.Sign(CommandType.Reset));

        Assert.Multiple(() =>
        {
            Assert.That(fence.Status, Is.EqualTo(Status.Done), fence.Detail);
            Assert.That(outside, Is.EqualTo(SafetyState.SafeStop));
            Assert.That(cause, Is.EqualTo(SafetyCause.Geofence));
            Assert.That(early.Status, Is.EqualTo(Status.Rejected));
            Assert.That(early.Detail, Does.Contain("cause is still present"));
            Assert.That(reset.Status, Is.EqualTo(Status.Done), reset.Detail);
            Assert.That(rig.Parts.Safety.State, Is.Not.EqualTo(SafetyState.SafeStop));
        });
    }

    [TestCase("[[0, 0], [1]]", "geofence point 1")]
    [TestCase("\"square\"", "no 'geofence' claim")]
    [TestCase("[[0, 0], [1, 0]]", "geofence")]
    public void SetGeofence_Invalid_Rejected(string geofence, string named)
    {
        using var rig = new CommandRig();

        CommandResult result = rig.Run(rig.Sign(CommandType.SetGeofence, w =>
        {
            w.WritePropertyName("geofence");
            w.WriteRawValue(geofence);
        }));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(Status.Rejected), result.Detail);
            Assert.That(result.Detail, Does.Contain(named));
            Assert.That(rig.Parts.Tuning.Current.Version, Is.Zero);
        });
    }

    [Test]
    public void Reset_NotStopped_RejectedWithTheReason()
    {
        using var rig = new CommandRig();

        CommandResult result = rig.Run(rig.Sign(CommandType.Reset));

        Assert.That(result.Detail, Does.StartWith("nothing to reset"));
    }

    [Test]
    public void SendToCharger_RecordsTheRequestForTheController()
    {
        using var rig = new CommandRig();
        rig.Robot.SetBatteryLevel(0.09);

        CommandResult result = rig.Run(rig.Sign(CommandType.SendToCharger, w => w.WriteString("reason", "battery 9 % < fleet.charge_below 10 %")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(Status.Done));
            Assert.That(rig.State.Charge, Is.Not.Null);
            Assert.That(rig.State.Charge!.Reason, Does.Contain("charge_below"));
            Assert.That(rig.State.Charge.BatteryPercent, Is.EqualTo(9.0).Within(0.5));
        });
    }

    [Test]
    public void SnapshotAndFlush_Answered()
    {
        using var rig = new CommandRig();

        CommandResult snapshot = rig.Run(rig.Sign(CommandType.Snapshot));
        CommandResult flush = rig.Run(rig.Sign(CommandType.FlushTelemetry));

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.SnapshotJson, Does.Contain(CommandRig.RobotId));
            Assert.That(flush.Detail, Is.EqualTo("flushed 0 samples"));
            Assert.That(rig.State.Done, Is.EqualTo(2));
        });
    }
}
