namespace EdgeAgent.Configuration;

/// <summary>
/// Marks an option (a property, or every property of a section type) that a running agent applies on a
/// reload (SIGHUP) through the atomic tuning swap. Every option without it needs a restart: a reload that
/// changes one is rejected whole and names it. The one list of what is live is these attributes.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class, Inherited = false)]
public sealed class LiveTunableAttribute : Attribute
{
}
