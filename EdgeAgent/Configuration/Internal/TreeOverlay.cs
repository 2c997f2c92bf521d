namespace EdgeAgent.Configuration.Internal;

/// <summary>
/// Lays a parsed overlay (a fleet <c>set_tuning</c>) over the file's tree before binding: a key the overlay
/// gives replaces the file's value (a list replaces the whole list), a section merges key by key, a key the
/// file lacks is added. Keys match by the binder's rule (case and '_' ignored). The result is bound and
/// validated as one file is, so an overlay is held to exactly the file's rules.
/// </summary>
internal static class TreeOverlay
{
    /// <summary>Returns <paramref name="basis"/> with <paramref name="overlay"/> laid over it.</summary>
    /// <param name="basis">The file's tree (with the environment merged in).</param>
    /// <param name="overlay">The overlay's tree.</param>
    /// <returns>The merged tree; neither input is changed.</returns>
    public static MappingNode Merge(MappingNode basis, MappingNode overlay)
    {
        var entries = basis.Entries.ToList();
        foreach (KeyValuePair<ConfigNode, ConfigNode> entry in overlay.Entries)
        {
            int found = entry.Key is ScalarNode { IsNull: false } key
                ? entries.FindIndex(e => e.Key is ScalarNode { IsNull: false } k && EnvironmentOverlay.SameKey(k.Value, key.Value))
                : -1;
            if (found < 0)
            {
                entries.Add(entry);
            }
            else if (entries[found].Value is MappingNode section && entry.Value is MappingNode sectionOverlay)
            {
                entries[found] = new(entries[found].Key, Merge(section, sectionOverlay));
            }
            else
            {
                // The overlay's key node too, so the binder records (and reports) the key where the overlay set it.
                entries[found] = entry;
            }
        }

        return new MappingNode(basis.Start, entries) { Environment = basis.Environment };
    }
}
