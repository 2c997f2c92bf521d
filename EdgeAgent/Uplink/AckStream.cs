using System.Collections.Concurrent;
using EdgeAgent.Protocol;
using EdgeAgent.Protocol.Protos;
using Grpc.Core;

namespace EdgeAgent.Uplink;

/// <summary>
/// One <c>Stream</c> call (HTTP/2 stream) carrying batches out and their acknowledgements back, each ack matched
/// to its batch by (boot id, seq), so every batch keeps its own outcome, timeout and pushback as a unary call
/// would. Writes are serialized (one frame sequence at a time); the acks are read by one reader task. When the
/// call ends, or a write fails, the stream is broken: every batch waiting on it fails with that error (its
/// attempt is retried by the pipeline on a new stream) and <see cref="BatchSender"/> opens a new one.
/// </summary>
internal sealed class AckStream : IDisposable
{
    private readonly AsyncDuplexStreamingCall<BatchPayload, BatchAck> _call;
    private readonly SemaphoreSlim _write = new(1, 1);
    private readonly ConcurrentDictionary<(string BootId, ulong Seq), TaskCompletionSource<BatchAck>> _pending = new();
    private readonly CancellationTokenSource _end = new();
    private RpcException? _failure;

    /// <summary>Initializes a new instance of the <see cref="AckStream"/> class and starts reading acks.</summary>
    /// <param name="invoker">The channel's invoker.</param>
    /// <param name="headers">The call's headers (authorization, encoding).</param>
    public AckStream(CallInvoker invoker, Metadata headers)
    {
        _call = invoker.AsyncDuplexStreamingCall(TelemetryRawMethods.Stream, null, new CallOptions(headers, cancellationToken: _end.Token));
        _ = ReadAcksAsync();
    }

    /// <summary>Gets a value indicating whether the stream has ended (a new one is needed).</summary>
    public bool IsBroken => Volatile.Read(ref _failure) is not null;

    /// <summary>Sends one batch and waits for its acknowledgement.</summary>
    /// <param name="payload">The encoded batch.</param>
    /// <param name="key">Its key: the ack is matched by boot id and seq.</param>
    /// <param name="cancellationToken">The attempt's timeout or the stop.</param>
    /// <returns>The acknowledgement.</returns>
    /// <exception cref="RpcException">The stream ended before the ack (the call's status).</exception>
    public async Task<BatchAck> SendAsync(BatchPayload payload, (string BootId, ulong Seq) key, CancellationToken cancellationToken)
    {
        var ack = new TaskCompletionSource<BatchAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, ack))
        {
            // The same batch twice on one stream (a retry racing its own late ack): wait for the first.
            ack = _pending.TryGetValue(key, out TaskCompletionSource<BatchAck>? first) ? first : ack;
            return await ack.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            ThrowIfBroken();
            await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ThrowIfBroken();

                // A receiver that stops reading fills HTTP/2's flow-control window and the write waits for it: the
                // attempt's timeout closes the stream, which ends the write (a cancelled half-written message
                // would leave the stream unusable anyway).
                using (cancellationToken.UnsafeRegister(static state => ((AckStream)state!).Break(new RpcException(new Status(StatusCode.DeadlineExceeded, "the batch could not be written within the attempt timeout; the stream is closed"))), this))
                {
                    await _call.RequestStream.WriteAsync(payload, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The stream's own failure if it broke (a timed-out write, the receiver gone), else this error.
                RpcException failure = Volatile.Read(ref _failure) ?? ex as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, "the telemetry stream failed: " + ex.Message));
                Break(failure);
                throw failure;
            }
            finally
            {
                _write.Release();
            }

            try
            {
                return await ack.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The attempt timed out waiting for its ack: the receiver answers a stream in order, so the
                // batches behind this one would wait as long. The next attempt opens a new stream, as a new
                // unary call would.
                Break(new RpcException(new Status(StatusCode.DeadlineExceeded, "no acknowledgement within the attempt timeout; the stream is closed")));
                throw;
            }
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<(string, ulong), TaskCompletionSource<BatchAck>>(key, ack));
        }
    }

    /// <summary>Ends the stream: batches waiting on it fail and are retried on a new one.</summary>
    public void Dispose()
    {
        Break(new RpcException(new Status(StatusCode.Unavailable, "the telemetry stream was closed")));
        _call.Dispose();
        _end.Dispose();
    }

    private async Task ReadAcksAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
            {
                BatchAck ack = _call.ResponseStream.Current;
                if (_pending.TryGetValue((ack.BootId, ack.Seq), out TaskCompletionSource<BatchAck>? waiting))
                {
                    waiting.TrySetResult(ack);
                }
            }

            Break(new RpcException(new Status(StatusCode.Unavailable, "the receiver ended the telemetry stream")));
        }
        catch (RpcException ex)
        {
            Break(ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            Break(new RpcException(new Status(StatusCode.Unavailable, "the telemetry stream failed: " + ex.Message)));
        }
    }

    private void Break(RpcException failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is not null)
        {
            return;
        }

        foreach (TaskCompletionSource<BatchAck> waiting in _pending.Values)
        {
            waiting.TrySetException(failure);
        }

        try
        {
            _end.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ThrowIfBroken()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw failure;
        }
    }
}
