using System.Globalization;

namespace EdgeAgent.Control.Timing;

/// <summary>
/// The histogram output of <c>cyclictest -q -h US</c>: latency counts per microsecond. cyclictest truncates
/// to whole microseconds, so a value here stands for [value, value + 1) µs.
/// </summary>
internal sealed class CyclictestResult
{
    private readonly long[] _counts;

    private CyclictestResult(long[] counts, long histogramTotal, long overflows, long minUs, double avgUs, long maxUs)
    {
        _counts = counts;
        HistogramTotal = histogramTotal;
        Overflows = overflows;
        MinUs = minUs;
        AvgUs = avgUs;
        MaxUs = maxUs;
    }

    /// <summary>Gets the samples in the histogram (not counting the overflows).</summary>
    public long HistogramTotal { get; }

    /// <summary>Gets the samples past the histogram's range.</summary>
    public long Overflows { get; }

    /// <summary>Gets all samples.</summary>
    public long Count => HistogramTotal + Overflows;

    /// <summary>Gets the smallest latency (µs).</summary>
    public long MinUs { get; }

    /// <summary>Gets the mean latency (µs).</summary>
    public double AvgUs { get; }

    /// <summary>Gets the largest latency (µs), overflows included.</summary>
    public long MaxUs { get; }

    /// <summary>Gets the histogram's range (µs): the rows cyclictest printed; a sample past it is an overflow, known only to be at least this.</summary>
    public long RangeUs => _counts.Length;

    /// <summary>
    /// Gets the latency (µs, truncated as cyclictest does) at or below which <paramref name="percentile"/> % of the
    /// samples are; <see langword="null"/> when that rank falls among the overflows (past <see cref="RangeUs"/>:
    /// cyclictest does not say how far past, so no figure would be true).
    /// </summary>
    public long? ValueAtPercentileUs(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100.0);
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1L, (long)Math.Ceiling(Math.Round(percentile / 100.0 * Count, 6)));   // round first: 99.9 / 100 * 2000 is 1998.0000000000002
        long seen = 0;
        for (var us = 0; us < _counts.Length; us++)
        {
            seen += _counts[us];
            if (seen >= rank)
            {
                return Math.Min(us, MaxUs);
            }
        }

        return null;   // the rank falls among the overflows
    }

    /// <summary>Parses cyclictest's histogram output (any number of threads: their columns are summed).</summary>
    /// <exception cref="FormatException">The text holds no histogram.</exception>
    public static CyclictestResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new List<long>();
        long total = 0, overflows = 0;
        long? min = null, max = null;
        double? avg = null;
        var sawHistogram = false;

        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                var body = line.TrimStart('#').Trim();
                if (body.StartsWith("Histogram Overflows:", StringComparison.Ordinal))
                {
                    overflows = Values(body).Sum();
                }
                else if (body.StartsWith("Min Latencies:", StringComparison.Ordinal))
                {
                    min = Values(body).DefaultIfEmpty().Min();
                }
                else if (body.StartsWith("Max Latencies:", StringComparison.Ordinal))
                {
                    max = Values(body).DefaultIfEmpty().Max();
                }
                else if (body.StartsWith("Avg Latencies:", StringComparison.Ordinal))
                {
                    var values = Values(body).ToList();
                    avg = values.Count == 0 ? 0 : values.Average();
                }
                else if (body.StartsWith("Histogram", StringComparison.Ordinal))
                {
                    sawHistogram = true;
                }

                continue;
            }

            // A histogram row: "000012 000050[ 000003 ...]" (latency µs, then one count per thread).
            var tokens = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (tokens.Length < 2 || !int.TryParse(tokens[0], NumberStyles.None, CultureInfo.InvariantCulture, out var us))
            {
                continue;
            }

            long rowCount = 0;
            var valid = true;
            for (var i = 1; i < tokens.Length && valid; i++)
            {
                valid = long.TryParse(tokens[i], NumberStyles.None, CultureInfo.InvariantCulture, out var c);
                rowCount += c;
            }

            if (!valid || us > 10_000_000)
            {
                continue;
            }

            sawHistogram = true;
            while (counts.Count <= us)
            {
                counts.Add(0);
            }

            counts[us] += rowCount;
            total += rowCount;
        }

        if (!sawHistogram)
        {
            throw new FormatException("cyclictest printed no histogram (was it run with -h?)");
        }

        var highest = counts.FindLastIndex(c => c > 0);
        var lowest = counts.FindIndex(c => c > 0);
        return new CyclictestResult(
            [.. counts],
            total,
            overflows,
            min ?? Math.Max(0, lowest),
            avg ?? 0,
            Math.Max(max ?? 0, highest));
    }

    private static IEnumerable<long> Values(string body)
    {
        var colon = body.IndexOf(':', StringComparison.Ordinal);
        foreach (var token in body[(colon + 1)..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                yield return value;
            }
        }
    }
}
