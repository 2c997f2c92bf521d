using EdgeAgent.Cli;
using EdgeAgent.Configuration;

namespace EdgeAgent.Tests.Configuration;

/// <summary>One duration syntax for agent.yaml and the command line.</summary>
public sealed class DurationsTests
{
    [TestCase("50000ns", 500L)]
    [TestCase("100us", 1_000L)]
    [TestCase("0.2ms", 2_000L)]
    [TestCase("1.5m", 900_000_000L)]
    public void TryParse_NumberAndUnit_Ticks(string text, long ticks)
    {
        Assert.That(Durations.TryParse(text, "100us", out TimeSpan value, out string error), Is.True, error);
        Assert.That(value.Ticks, Is.EqualTo(ticks));
    }

    [TestCase("100", "'100' has no unit. Fix: write the unit after the number, such as 100us or 100ms")]
    [TestCase("soon", "'soon' is not a duration. Fix: write a number and a unit, such as 100us")]
    [TestCase("99999999999999999999999999999999h", "is too long a duration")]
    public void TryParse_Bad_ProblemAndFix(string text, string expected)
    {
        Assert.That(Durations.TryParse(text, "100us", out _, out string error), Is.False);
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public void SpinMarginOption_BareNumber_RefusedAsInTheFile()
    {
        // `spin_margin: 100` is an error in agent.yaml; `--spin-margin 100` is one too, with the same fix.
        var parse = AgentCli.Create().Parse(["diagnose", "timing", "--spin-margin", "100"]);

        Assert.That(parse.Errors.Select(e => e.Message), Has.Some.EqualTo("--spin-margin '100': '100' has no unit. Fix: write the unit after the number, such as 100us or 100ms (units: ns, us, ms, s, m, h)"));
    }

    [Test]
    public void SpinMarginOption_Nanoseconds_Accepted()
    {
        var parse = AgentCli.Create().Parse(["diagnose", "timing", "--spin-margin", "50000ns"]);

        Assert.That(parse.Errors, Is.Empty);
    }
}
