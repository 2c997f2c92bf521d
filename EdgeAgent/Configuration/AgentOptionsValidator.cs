using System.Globalization;
using EdgeAgent.Configuration.Internal;
using EdgeAgent.Control;
using EdgeAgent.Control.Safety;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Sampling;
using EdgeAgent.Spill;
using EdgeAgent.Protocol;
using EdgeAgent.Uplink;
using Microsoft.Extensions.Options;
using static EdgeAgent.Configuration.Internal.ConfigKeys;

namespace EdgeAgent.Configuration;

/// <summary>
/// Validates an <see cref="AgentOptions"/>: the DataAnnotations of every section and list entry, then the
/// rules that span keys (joints against gains, loop rates, limits, geofence, endpoint). Register it with
/// <c>ValidateOnStart()</c>; <see cref="AgentConfigLoader"/> runs the same checks and adds file positions.
/// </summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    /// <summary>Validates <paramref name="options"/>; each failure reads <c>{key path}: {problem}. Fix: {fix}</c>.</summary>
    /// <param name="name">The options name (unused: there is one configuration).</param>
    /// <param name="options">The options to validate.</param>
    /// <returns>Success, or a failure listing every problem.</returns>
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var issues = Collect(options);
        return issues.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(issues.Select(issue => issue.ToString()));
    }

    /// <summary>Runs every per-field and cross-field check, in key order.</summary>
    internal static List<ConfigIssue> Collect(AgentOptions options)
    {
        var issues = new List<ConfigIssue>();
        AnnotationValidator.Validate(options, string.Empty, issues);
        CheckJoints(options.Robot, issues);
        CheckGains(options, issues);
        CheckBalance(options, issues);
        CheckTiming(options, issues);
        CheckSafety(options, issues);
        CheckUplink(options.Uplink, issues);
        CheckCommands(options, issues);
        CheckSampling(options, issues);
        CheckSpill(options.Spill, issues);
        CheckRos2(options.Hal.Ros2, issues);
        if (options.Observability.TryParseListen(out _) is { } listenError)
        {
            issues.Add(new(Key(nameof(AgentOptions.Observability), nameof(EdgeAgent.Observability.ObservabilityOptions.Listen)), listenError, "use a loopback address such as 127.0.0.1:9464 or [::1]:9464, \"\" to turn the endpoint off, or set observability.allow_remote: true (then firewall the port)"));
        }

        return issues;
    }

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The smallest <c>safety.max_control_gap</c>, in motor periods.</summary>
    private const int MinGapPeriods = 5;

    /// <summary>The smallest <c>safety.missed_period_window</c>, in motor periods (ten buckets of ten).</summary>
    private const int MinWindowPeriods = 100;

    private static string D(TimeSpan value) => ScalarConverter.FormatDuration(value);

    /// <summary>Whether a property passes its own [Range] (its message is the annotation validator's).</summary>
    private static bool InRange(object section, string property)
    {
        System.Reflection.PropertyInfo info = Array.Find(Properties(section.GetType()), p => p.Name == property)!;
        object? value = info.GetValue(section);
        return info.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.ValidationAttribute), true)
            .Cast<System.ComponentModel.DataAnnotations.ValidationAttribute>().All(r => r.IsValid(value));
    }

    private static void CheckJoints(RobotOptions robot, List<ConfigIssue> issues)
    {
        if (robot.Joints.Count == 0)
        {
            issues.Add(new(Key(nameof(AgentOptions.Robot), nameof(RobotOptions.Joints)), "no joints are listed", "list every joint under robot.joints, each with name, limits and home (see the default agent.yaml)"));
            return;
        }

        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < robot.Joints.Count; i++)
        {
            var joint = robot.Joints[i];
            string path = $"{Key(nameof(AgentOptions.Robot), nameof(RobotOptions.Joints))}[{i}]";
            if (!string.IsNullOrEmpty(joint.Name) && BatchLimits.CheckJointName(i, joint.Name) is { } nameError)
            {
                issues.Add(new($"{path}.{Key(nameof(JointOptions.Name))}", $"the joint name is not one telemetry can carry: {nameError.Replace($"joint_names[{i}]", "it", StringComparison.Ordinal)}", $"use at most {BatchLimits.MaxJointNameLength} characters and no control characters"));
            }

            if (!string.IsNullOrWhiteSpace(joint.Name) && !firstIndex.TryAdd(joint.Name, i))
            {
                issues.Add(new($"{path}.{Key(nameof(JointOptions.Name))}", $"the joint name '{joint.Name}' is used twice (also robot.joints[{firstIndex[joint.Name]}])", "give every joint a unique name"));
            }

            if (joint.Continuous)
            {
                continue;
            }

            if (joint.PositionMin >= joint.PositionMax)
            {
                issues.Add(new($"{path}.{Key(nameof(JointOptions.PositionMin))}", $"position_min ({F(joint.PositionMin)}) of joint '{joint.Name}' is not below its position_max ({F(joint.PositionMax)})", "make position_min smaller than position_max, or set continuous: true for a wheel"));
            }
            else
            {
                if (joint.Home < joint.PositionMin || joint.Home > joint.PositionMax)
                {
                    issues.Add(new($"{path}.{Key(nameof(JointOptions.Home))}", $"home ({F(joint.Home)}) of joint '{joint.Name}' is outside its limits [{F(joint.PositionMin)}, {F(joint.PositionMax)}]", $"set home between {F(joint.PositionMin)} and {F(joint.PositionMax)}"));
                }

                if (!double.IsNaN(joint.Rest) && (joint.Rest < joint.PositionMin || joint.Rest > joint.PositionMax))
                {
                    issues.Add(new($"{path}.{Key(nameof(JointOptions.Rest))}", $"rest ({F(joint.Rest)}) of joint '{joint.Name}' is outside its limits [{F(joint.PositionMin)}, {F(joint.PositionMax)}]", $"set rest between {F(joint.PositionMin)} and {F(joint.PositionMax)}, or leave it out to rest at home"));
                }
            }
        }
    }

    private static void CheckGains(AgentOptions options, List<ConfigIssue> issues)
    {
        var joints = options.Robot.Joints.Select(j => j.Name).Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.Ordinal).ToList();
        var gains = options.Motor.Gains;
        var firstIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < gains.Count; i++)
        {
            string joint = gains[i].Joint;
            if (string.IsNullOrWhiteSpace(joint))
            {
                continue; // [Required] reports it.
            }

            string path = $"{Key(nameof(AgentOptions.Motor), nameof(MotorOptions.Gains))}[{i}].{Key(nameof(JointGainsOptions.Joint))}";
            if (!joints.Contains(joint, StringComparer.Ordinal))
            {
                string? closest = ConfigKeys.Closest(joint, joints);
                string hint = closest is null ? $"one of: {string.Join(", ", joints)}" : $"'{closest}'";
                issues.Add(new(path, $"gains are given for '{joint}', which is not a joint in robot.joints", $"change the name to {hint}, or delete this gains entry"));
            }
            else if (!firstIndex.TryAdd(joint, i))
            {
                issues.Add(new(path, $"joint '{joint}' has a second gains entry (the first is motor.gains[{firstIndex[joint]}])", "keep one gains entry per joint and delete the other"));
            }
        }

        var missing = joints.Where(j => !firstIndex.ContainsKey(j)).ToList();
        if (missing.Count > 0 && joints.Count > 0)
        {
            issues.Add(new(
                Key(nameof(AgentOptions.Motor), nameof(MotorOptions.Gains)),
                $"{missing.Count} of the {joints.Count} joints in robot.joints have no gains entry ({gains.Count} entries given): {string.Join(", ", missing)}",
                $"add a motor.gains entry for each, such as '- joint: {missing[0]}' with kp, ki, kd"));
        }
    }

    private static void CheckBalance(AgentOptions options, List<ConfigIssue> issues)
    {
        var balance = options.Balance;
        if (balance.Enabled)
        {
            if (balance.DriveJoints.Count != 2)
            {
                issues.Add(new(Key(nameof(AgentOptions.Balance), nameof(BalanceOptions.DriveJoints)), $"lists {balance.DriveJoints.Count} joint(s), but the balance loop needs exactly 2 drive wheels", "name the left and the right wheel joint, such as [left_wheel, right_wheel], or set balance.enabled: false"));
            }

            for (int i = 0; i < balance.DriveJoints.Count; i++)
            {
                CheckDriveJoint(options.Robot.Joints, balance.DriveJoints, i, issues);
            }
        }

        if (balance.TiltFilterTimeConstant <= TimeSpan.Zero)
        {
            issues.Add(new(Key(nameof(AgentOptions.Balance), nameof(BalanceOptions.TiltFilterTimeConstant)), $"{D(balance.TiltFilterTimeConstant)} is not a positive time constant", "set a positive duration, such as 200ms"));
        }

        double motorRate = options.Motor.RateHz;
        double balanceRate = balance.RateHz;
        if (motorRate <= 0 || balanceRate <= 0 || !double.IsFinite(motorRate) || !double.IsFinite(balanceRate))
        {
            return; // [Range] reports it.
        }

        if (balanceRate >= motorRate)
        {
            issues.Add(new(Key(nameof(AgentOptions.Balance), nameof(BalanceOptions.RateHz)), $"the balance rate ({F(balanceRate)} Hz) is not below motor.rate_hz ({F(motorRate)} Hz)", $"set balance.rate_hz below {F(motorRate)}, such as {F(motorRate / 10)}"));
            return;
        }

        double ratio = motorRate / balanceRate;
        if (Math.Abs(ratio - Math.Round(ratio)) > 1e-9 * ratio)
        {
            var nearest = Enumerable.Range(2, 999).Select(n => motorRate / n)
                .Where(r => r == Math.Round(r)).OrderBy(r => Math.Abs(r - balanceRate)).Take(2).Select(F).ToList();
            string suggestion = nearest.Count > 0 ? string.Join(" or ", nearest) : F(motorRate / Math.Ceiling(ratio));
            issues.Add(new(Key(nameof(AgentOptions.Balance), nameof(BalanceOptions.RateHz)), $"motor.rate_hz ({F(motorRate)} Hz) is not an integer multiple of balance.rate_hz ({F(balanceRate)} Hz); the balance loop runs every Nth motor tick", $"pick a balance rate that divides {F(motorRate)} evenly, such as {suggestion}"));
        }
    }

    private static void CheckDriveJoint(List<JointOptions> joints, List<string> driveJoints, int i, List<ConfigIssue> issues)
    {
        string name = driveJoints[i];
        string path = $"{Key(nameof(AgentOptions.Balance), nameof(BalanceOptions.DriveJoints))}[{i}]";
        int index = joints.FindIndex(j => string.Equals(j.Name, name, StringComparison.Ordinal));
        if (index < 0)
        {
            var wheels = joints.Where(j => j.Continuous).Select(j => j.Name).ToList();
            string hint = wheels.Count > 0 ? $"name a continuous joint from robot.joints: {string.Join(", ", wheels)}" : "add the wheel joints to robot.joints with continuous: true";
            issues.Add(new(path, $"'{name}' is not a joint in robot.joints", hint));
        }
        else if (!joints[index].Continuous)
        {
            issues.Add(new(path, $"'{name}' is not a continuous joint (a drive wheel turns without end)", $"name a wheel joint, or set continuous: true on robot.joints[{index}] if '{name}' is a wheel"));
        }
        else if (driveJoints.FindIndex(d => string.Equals(d, name, StringComparison.Ordinal)) < i)
        {
            issues.Add(new(path, $"'{name}' is listed twice", "name two different wheels, left and right"));
        }
    }

    private static void CheckTiming(AgentOptions options, List<ConfigIssue> issues)
    {
        var timing = options.Timing;
        double rate = options.Motor.RateHz;
        if (timing.SpinMargin < TimeSpan.Zero)
        {
            issues.Add(new(Key(nameof(AgentOptions.Timing), nameof(TimingOptions.SpinMargin)), $"{D(timing.SpinMargin)} is negative", "set a margin of 0 or more, such as 100us"));
        }
        else if (rate > 0 && double.IsFinite(rate))
        {
            var period = TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / rate));
            if (timing.SpinMargin >= period)
            {
                issues.Add(new(Key(nameof(AgentOptions.Timing), nameof(TimingOptions.SpinMargin)), $"{D(timing.SpinMargin)} is not shorter than the motor period ({D(period)} at motor.rate_hz {F(rate)})", $"set a margin below {D(period)}, such as {D(period / 10)}"));
            }
        }

        if (timing.TimerSlack < TimeSpan.Zero)
        {
            issues.Add(new(Key(nameof(AgentOptions.Timing), nameof(TimingOptions.TimerSlack)), $"{D(timing.TimerSlack)} is negative", "set 0 or more, such as 1us"));
        }
    }

    private static void CheckSafety(AgentOptions options, List<ConfigIssue> issues)
    {
        SafetyOptions safety = options.Safety;
        if (safety.BatteryCritical >= safety.BatteryLow)
        {
            issues.Add(new(Key(nameof(AgentOptions.Safety), nameof(SafetyOptions.BatteryCritical)), $"battery_critical ({F(safety.BatteryCritical)}) is not below battery_low ({F(safety.BatteryLow)})", "set battery_critical below battery_low, such as 0.03 and 0.15"));
        }

        // The ranges of missed_period_window and max_control_gap are [Range] on the options; within them, the motor rate decides.
        if (InRange(safety, nameof(SafetyOptions.MissedPeriodWindow)) && options.Motor.RateHz > 0 && double.IsFinite(options.Motor.RateHz) && safety.MissedPeriodWindow.TotalSeconds * options.Motor.RateHz < MinWindowPeriods)
        {
            // The window is counted in ten buckets; fewer than ten periods per bucket cannot resolve a share.
            var least = TimeSpan.FromSeconds(MinWindowPeriods / options.Motor.RateHz);
            issues.Add(new(Key(nameof(AgentOptions.Safety), nameof(SafetyOptions.MissedPeriodWindow)), $"{D(safety.MissedPeriodWindow)} holds fewer than {MinWindowPeriods} motor periods at motor.rate_hz {F(options.Motor.RateHz)}", $"set at least {D(least)}, such as 1s"));
        }

        if (InRange(safety, nameof(SafetyOptions.MaxControlGap)) && options.Motor.RateHz > 0 && double.IsFinite(options.Motor.RateHz) && safety.MaxControlGap.TotalSeconds * options.Motor.RateHz < MinGapPeriods)
        {
            // Two writes are a motor period apart on a perfect clock: a limit of a few periods trips on ordinary jitter.
            var least = TimeSpan.FromSeconds(MinGapPeriods / options.Motor.RateHz);
            issues.Add(new(Key(nameof(AgentOptions.Safety), nameof(SafetyOptions.MaxControlGap)), $"{D(safety.MaxControlGap)} is less than {MinGapPeriods} motor periods at motor.rate_hz {F(options.Motor.RateHz)} ({D(least)}); every ordinary wake-up delay would stop the robot", $"set at least {D(least)}, or the longest stall the base can ride out, such as 75ms"));
        }

        if (safety.ControlledStopTime < TimeSpan.FromMilliseconds(100) || safety.ControlledStopTime > TimeSpan.FromMinutes(1))
        {
            issues.Add(new(Key(nameof(AgentOptions.Safety), nameof(SafetyOptions.ControlledStopTime)), $"{D(safety.ControlledStopTime)} is outside 100ms..1m", "set how long the base may take to come to rest, such as 3s"));
        }

        if (safety.RestTime < TimeSpan.Zero || safety.RestTime > TimeSpan.FromMinutes(1))
        {
            issues.Add(new(Key(nameof(AgentOptions.Safety), nameof(SafetyOptions.RestTime)), $"{D(safety.RestTime)} is outside 0s..1m", "set how long lowering to the rest pose takes, such as 1.5s"));
        }

        var fence = safety.Geofence;
        if (fence.Count is 1 or 2)
        {
            issues.Add(new(Key(nameof(AgentOptions.Safety), nameof(SafetyOptions.Geofence)), $"has {fence.Count} point(s), but a polygon needs at least 3", "add vertices (x, y in m) so they enclose the area, or remove the geofence with 'geofence: []'"));
        }
        else if (fence.Count >= 3)
        {
            double twiceArea = 0;
            for (int i = 0; i < fence.Count; i++)
            {
                var a = fence[i];
                var b = fence[(i + 1) % fence.Count];
                twiceArea += (a.X * b.Y) - (b.X * a.Y);
            }

            if (Math.Abs(twiceArea) < 1e-9)
            {
                issues.Add(new(Key(nameof(AgentOptions.Safety), nameof(SafetyOptions.Geofence)), "the points enclose no area (they lie on one line or repeat)", "list the corners of the allowed area in order around it"));
            }
        }
    }

    private static void CheckUplink(UplinkOptions uplink, List<ConfigIssue> issues)
    {
        string endpoint = uplink.Endpoint;
        if (endpoint.Length > 0
            && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0))
        {
            issues.Add(new(Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.Endpoint)), $"'{endpoint}' is not an absolute http:// or https:// URL", "write the full address, such as https://ingest.example.com:443, or \"\" for no upstream"));
        }

        foreach ((string key, TimeSpan value) in new[]
        {
            (Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.BatchMaxAge)), uplink.BatchMaxAge), (Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.AttemptTimeout)), uplink.AttemptTimeout),
            (Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.RetryBaseDelay)), uplink.RetryBaseDelay), (Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.RetryMaxDelay)), uplink.RetryMaxDelay),
            (Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.BreakerSamplingDuration)), uplink.BreakerSamplingDuration), (Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.BreakerBreakDuration)), uplink.BreakerBreakDuration),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                issues.Add(new(key, $"{D(value)} is not a positive duration", "set a positive duration, such as 1s"));
            }
        }

        if (uplink.RetryMaxDelay < uplink.RetryBaseDelay)
        {
            issues.Add(new(Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.RetryMaxDelay)), $"{D(uplink.RetryMaxDelay)} is shorter than retry_base_delay ({D(uplink.RetryBaseDelay)})", "set retry_max_delay at or above retry_base_delay, such as 30s"));
        }

        if (uplink.CaFile.Length > 0 && !uplink.Endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            issues.Add(new(Key(nameof(AgentOptions.Uplink), nameof(UplinkOptions.CaFile)), "a CA file is set but uplink.endpoint is not https://", "use an https:// endpoint, or clear ca_file"));
        }
    }

    private static void CheckCommands(AgentOptions options, List<ConfigIssue> issues)
    {
        EdgeAgent.Commands.CommandOptions commands = options.Commands;
        for (int i = 0; i < commands.Allow.Count; i++)
        {
            string type = commands.Allow[i];
            if (!EdgeAgent.Commands.CommandType.IsKnown(type))
            {
                string? closest = Internal.ConfigKeys.Closest(type, EdgeAgent.Commands.CommandType.All);
                issues.Add(new(Internal.ConfigPath.Index(Key(nameof(AgentOptions.Commands), nameof(EdgeAgent.Commands.CommandOptions.Allow)), i), $"'{type}' is not a command type",
                    (closest is null ? string.Empty : $"did you mean '{closest}'? ") + "use some of: " + string.Join(", ", EdgeAgent.Commands.CommandType.All)));
            }
        }

        if (commands.PublicKeyFile.Length > 0 && options.Uplink.Endpoint.Length == 0)
        {
            issues.Add(new(Key(nameof(AgentOptions.Commands), nameof(EdgeAgent.Commands.CommandOptions.PublicKeyFile)), "a fleet public key is set but uplink.endpoint is empty: commands come down the uplink's channel", "set uplink.endpoint (or CLOUD_ENDPOINT), or clear commands.public_key_file"));
        }

        if (commands.PublicKeyFile.Length > 0)
        {
            // Read now, so check-config and the start refuse a key the link could not use (exit 78), not the link later.
            try
            {
                EdgeAgent.Commands.CommandVerifier.LoadPublicKey(commands.PublicKeyFile).Dispose();
            }
            catch (InvalidOperationException ex)
            {
                int fix = ex.Message.IndexOf(". Fix: ", StringComparison.Ordinal);
                string problem = (fix < 0 ? ex.Message : ex.Message[..fix]).Replace($"commands.public_key_file '{commands.PublicKeyFile}'", $"'{commands.PublicKeyFile}'", StringComparison.Ordinal);
                issues.Add(new(Key(nameof(AgentOptions.Commands), nameof(EdgeAgent.Commands.CommandOptions.PublicKeyFile)), problem, fix < 0 ? "give the fleet's P-256 public key (fleet.pub from edge-agent fleet keygen)" : ex.Message[(fix + 7)..].TrimEnd('.')));
            }
        }

        if (commands.PublicKeyFile.Length > 0 && commands.Issuer.Length == 0)
        {
            issues.Add(new(Key(nameof(AgentOptions.Commands), nameof(EdgeAgent.Commands.CommandOptions.Issuer)), "the issuer is empty", "name the fleet's issuer (the iss claim of its commands), such as edgeagent-fleet"));
        }
    }

    private static void CheckSampling(AgentOptions options, List<ConfigIssue> issues)
    {
        SamplingOptions sampling = options.Sampling;
        if (!BitOperationsIsPow2(sampling.RingCapacity))
        {
            issues.Add(new(Key(nameof(AgentOptions.Sampling), nameof(SamplingOptions.RingCapacity)), $"{sampling.RingCapacity} is not a power of two", $"use a power of two, such as {NextPow2(sampling.RingCapacity)}"));
        }

        double motorRate = options.Motor.RateHz;
        double ratio = motorRate / sampling.RateHz;
        if (sampling.RateHz > motorRate)
        {
            issues.Add(new(Key(nameof(AgentOptions.Sampling), nameof(SamplingOptions.RateHz)), $"the sample rate ({F(sampling.RateHz)} Hz) is above motor.rate_hz ({F(motorRate)} Hz); samples are taken in the motor loop", $"set sampling.rate_hz at or below {F(motorRate)}"));
        }
        else if (Math.Abs(ratio - Math.Round(ratio)) > 1e-9)
        {
            issues.Add(new(Key(nameof(AgentOptions.Sampling), nameof(SamplingOptions.RateHz)), $"motor.rate_hz ({F(motorRate)} Hz) is not an integer multiple of sampling.rate_hz ({F(sampling.RateHz)} Hz); a sample is taken every Nth motor tick", $"pick a sample rate that divides {F(motorRate)} evenly, such as {F(motorRate / Math.Max(1, Math.Round(ratio)))}"));
        }
    }

    private static void CheckRos2(Ros2Options ros2, List<ConfigIssue> issues)
    {
        if (ros2.DiagnosticsTopic.Length > 0 && (ros2.DiagnosticsTopic.Trim() != ros2.DiagnosticsTopic || ros2.DiagnosticsTopic.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            issues.Add(new(Key(nameof(AgentOptions.Hal), nameof(HalOptions.Ros2), nameof(Ros2Options.DiagnosticsTopic)), $"'{ros2.DiagnosticsTopic}' is not a ROS topic name", "use a name such as /diagnostics, or \"\" to turn the diagnostics off"));
        }
    }

    private static void CheckSpill(SpillOptions spill, List<ConfigIssue> issues)
    {
        if (spill.QuotaBytes < 2 * spill.SegmentBytes)
        {
            issues.Add(new(Key(nameof(AgentOptions.Spill), nameof(SpillOptions.QuotaBytes)), $"the quota ({spill.QuotaBytes} bytes) holds fewer than two segments of segment_bytes ({spill.SegmentBytes})", $"set quota_bytes to at least {2 * spill.SegmentBytes}, or lower segment_bytes"));
        }

        if (spill.CommitInterval <= TimeSpan.Zero)
        {
            issues.Add(new(Key(nameof(AgentOptions.Spill), nameof(SpillOptions.CommitInterval)), $"{D(spill.CommitInterval)} is not a positive duration", "set a positive duration, such as 50ms"));
        }

        if (spill.Directory.Length > 0 && !Path.IsPathFullyQualified(spill.Directory) && !spill.Directory.StartsWith("./", StringComparison.Ordinal) && !spill.Directory.StartsWith("../", StringComparison.Ordinal))
        {
            issues.Add(new(Key(nameof(AgentOptions.Spill), nameof(SpillOptions.Directory)), $"'{spill.Directory}' is neither absolute nor explicitly relative", "write an absolute path such as /var/lib/edge-agent/spill (or ./spill, relative to the working directory)"));
        }
    }

    private static bool BitOperationsIsPow2(int value) => System.Numerics.BitOperations.IsPow2(value);

    private static int NextPow2(int value) => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, value));
}
