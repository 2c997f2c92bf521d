namespace EdgeAgent.Hal;

/// <summary>
/// Optional counters of a HAL driver (accepted messages, rejections by cause, write failures) for the run
/// summary and the status of a robot. Read off the hot path; implementations return a snapshot.
/// </summary>
public interface IHalDiagnostics
{
    /// <summary>Gets the counters, with snake_case names such as <c>rejected_non_finite</c>.</summary>
    /// <returns>A snapshot of the counters.</returns>
    IReadOnlyList<KeyValuePair<string, long>> Counters();
}
