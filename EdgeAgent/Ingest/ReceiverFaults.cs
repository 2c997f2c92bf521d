using System.Globalization;
using Grpc.Core;

namespace EdgeAgent.Ingest;

/// <summary>
/// Programmable faults of the <see cref="ReferenceReceiver"/> for tests: failed calls, overload with a
/// retry push-back, permanently rejected batches, slow answers and slow-down advice. Thread-safe; the
/// faults apply to every following batch (unary call or stream message) until <see cref="Clear"/>.
/// </summary>
internal sealed class ReceiverFaults
{
    /// <summary>The standard gRPC trailer with the server-requested retry delay in milliseconds.</summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    private readonly Lock _gate = new();
    private readonly HashSet<ulong> _rejectedSeqs = [];
    private int _failCount;
    private StatusCode _failCode;
    private int _exhaustedCount;
    private TimeSpan _pushback;
    private TimeSpan _delay;
    private uint _slowDownMs;

    /// <summary>Fails the next <paramref name="count"/> batches with <paramref name="code"/> (before they are stored).</summary>
    /// <param name="count">How many batches.</param>
    /// <param name="code">The status, for example <see cref="StatusCode.Unavailable"/>.</param>
    public void FailNext(int count, StatusCode code)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            (_failCount, _failCode) = (count, code);
        }
    }

    /// <summary>Fails the next <paramref name="count"/> batches with ResourceExhausted and the <c>grpc-retry-pushback-ms</c> trailer.</summary>
    /// <param name="count">How many batches.</param>
    /// <param name="pushback">The delay the sender is asked to wait before retrying.</param>
    public void ResourceExhausted(int count, TimeSpan pushback)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(pushback, TimeSpan.Zero);
        lock (_gate)
        {
            (_exhaustedCount, _pushback) = (count, pushback);
        }
    }

    /// <summary>Rejects every batch with this seq (any robot, any boot) with InvalidArgument: a permanent failure.</summary>
    /// <param name="seq">The sequence number.</param>
    public void RejectSeq(ulong seq)
    {
        lock (_gate)
        {
            _rejectedSeqs.Add(seq);
        }
    }

    /// <summary>
    /// Gets or sets a value indicating whether a rejected batch on a stream ends the whole stream with
    /// InvalidArgument (a receiver without per-batch REJECTED acks) instead of being refused in its ack.
    /// </summary>
    public bool EndStreamOnReject { get; set; }

    /// <summary>Delays the answer to every batch (slow receiver).</summary>
    /// <param name="delay">The delay; <see cref="TimeSpan.Zero"/> for none.</param>
    public void Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        lock (_gate)
        {
            _delay = delay;
        }
    }

    /// <summary>Sets the advisory <c>slow_down_ms</c> of every acknowledgement.</summary>
    /// <param name="pace">The pause asked between batches; <see cref="TimeSpan.Zero"/> for none.</param>
    public void SlowDown(TimeSpan pace)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pace, TimeSpan.Zero);
        lock (_gate)
        {
            _slowDownMs = (uint)Math.Min(pace.TotalMilliseconds, uint.MaxValue);
        }
    }

    /// <summary>Removes every fault.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rejectedSeqs.Clear();
            (_failCount, _exhaustedCount, _delay, _slowDownMs) = (0, 0, TimeSpan.Zero, 0);
        }
    }

    internal TimeSpan CurrentDelay
    {
        get
        {
            lock (_gate)
            {
                return _delay;
            }
        }
    }

    internal uint SlowDownMs
    {
        get
        {
            lock (_gate)
            {
                return _slowDownMs;
            }
        }
    }

    /// <summary>Takes one injected failure, if any is armed.</summary>
    internal RpcException? TakeFailure()
    {
        lock (_gate)
        {
            if (_failCount > 0)
            {
                _failCount--;
                return new RpcException(new Status(_failCode, $"Injected fault: {_failCode}."));
            }

            if (_exhaustedCount > 0)
            {
                _exhaustedCount--;
                var trailers = new Metadata { { RetryPushbackTrailer, ((long)_pushback.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) } };
                return new RpcException(new Status(StatusCode.ResourceExhausted, "Injected fault: the receiver is overloaded; retry after grpc-retry-pushback-ms."), trailers);
            }

            return null;
        }
    }

    internal bool IsRejected(ulong seq)
    {
        lock (_gate)
        {
            return _rejectedSeqs.Count > 0 && _rejectedSeqs.Contains(seq);
        }
    }
}
