namespace EdgeAgent.Tests.Configuration;

/// <summary>Configuration texts and files the configuration tests share.</summary>
internal static class ConfigTestFiles
{
    public const string SourceName = "test.yaml";

    /// <summary>
    /// A small valid configuration: three joints, one gains entry each, balance on the two wheels.
    /// Malformed cases edit one line of it; the line numbers in the cases refer to this layout.
    /// </summary>
    public const string Valid =
        """
        robot:
          id: test-bot
          joints:
            - name: left_knee
              position_min: -2.5
              position_max: 0.1
              home: -1.0
            - name: left_wheel
              continuous: true
            - name: right_wheel
              continuous: true
        hal:
          driver: sim
          sim:
            seed: 42
        motor:
          rate_hz: 1000
          gains:
            - joint: left_knee
              kp: 60
            - joint: left_wheel
              kd: 1.5
            - joint: right_wheel
              kd: 1.5
        balance:
          rate_hz: 100
          drive_joints: [left_wheel, right_wheel]
          tilt_filter_time_constant: 200ms
        timing:
          spin_margin: 100us
          motor_priority: 80
        safety:
          stop_actions: {overruns: category2}
          battery_low: 0.15
          battery_critical: 0.03
          rest_time: 1s
          geofence:
            - {x: -10, y: -10}
            - {x: 10, y: -10}
            - {x: 10, y: 10}
        uplink:
          endpoint: ""

        """;

    /// <summary>Gets <see cref="Valid"/> with <paramref name="oldText"/> (which must occur exactly once) replaced.</summary>
    public static string ValidWith(string oldText, string newText)
    {
        int at = Valid.IndexOf(oldText, StringComparison.Ordinal);
        if (at < 0 || Valid.IndexOf(oldText, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException($"'{oldText}' must occur exactly once in the test configuration.", nameof(oldText));
        }

        return string.Concat(Valid.AsSpan(0, at), newText, Valid.AsSpan(at + oldText.Length));
    }

    /// <summary>Gets the shipped config/agent.yaml: from the repository (walking up to EdgeAgent.sln), else the build output copy.</summary>
    public static string ShippedConfigPath()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln")))
            {
                return Path.Combine(dir.FullName, "config", "agent.yaml");
            }
        }

        return Path.Combine(TestContext.CurrentContext.TestDirectory, "agent.yaml");
    }

    public static IReadOnlyDictionary<string, string> NoEnvironment { get; } = new Dictionary<string, string>();
}
