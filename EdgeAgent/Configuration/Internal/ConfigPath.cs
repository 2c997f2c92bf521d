namespace EdgeAgent.Configuration.Internal;

/// <summary>Builds and walks key paths such as <c>motor.gains[2].kp</c>.</summary>
internal static class ConfigPath
{
    public static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public static string Index(string path, int index) => $"{path}[{index}]";

    /// <summary>Gets the parent path (<c>motor.gains[2]</c> for <c>motor.gains[2].kp</c>), or empty at the top.</summary>
    public static string Parent(string path)
    {
        int cut = path.Length > 0 && path[^1] == ']' ? path.LastIndexOf('[') : path.LastIndexOf('.');
        return cut <= 0 ? string.Empty : path[..cut];
    }

    /// <summary>Gets a value indicating whether <paramref name="path"/> is <paramref name="ancestor"/> or lies below it.</summary>
    public static bool IsWithin(string path, string ancestor) =>
        path.StartsWith(ancestor, StringComparison.Ordinal)
        && (path.Length == ancestor.Length || path[ancestor.Length] is '.' or '[');

    public static string Display(string path) => path.Length == 0 ? ConfigError.RootPath : path;
}
