namespace EdgeAgent.Configuration.Internal;

/// <summary>A validation finding before it is given a source location.</summary>
internal readonly record struct ConfigIssue(string KeyPath, string Problem, string Fix)
{
    public override string ToString() => $"{KeyPath}: {Problem}. Fix: {Fix}";
}
