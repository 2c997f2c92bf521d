using System.Globalization;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using EdgeAgent.Sampling;

namespace EdgeAgent.Benchmarks;

/// <summary>
/// <see cref="SpscRing{T}"/> against a bounded drop-oldest <see cref="Channel{T}"/> (single reader, single writer),
/// both moving the real 600-byte <see cref="TelemetrySample"/> through a 1024-item queue.
/// <c>TwoThreads</c>: 1,000,000 samples from a producer thread to the benchmark thread (TryWrite / TryRead, spinning
/// when empty). The producer stays at most a queue's capacity ahead of the items the consumer has taken (a shared
/// counter, the same for both), so nothing is dropped and every sample is really moved; the consumer checks order.
/// <c>SingleThread</c>: one TryWrite plus one TryRead per item on one thread (the uncontended cost).
/// Run: <c>dotnet run -c Release --project EdgeAgent.Benchmarks -- --filter '*Ring*'</c> (add <c>--job short</c>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RingBenchmarkConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RingBenchmarks
{
    private const int Items = 1_000_000;
    private const int Capacity = 1024;
    private const int Batch = 1024;
    private const int ConsumedPublishEvery = 64;

    private readonly ProducerThread _producer = new();
    private SpscRing<TelemetrySample> _ring = null!;
    private Channel<TelemetrySample> _channel = null!;
    private TelemetrySample _sample;
    private long _consumed;

    [GlobalSetup]
    public void Setup()
    {
        _ring = new SpscRing<TelemetrySample>(Capacity);
        _channel = Channel.CreateBounded<TelemetrySample>(new BoundedChannelOptions(Capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        });
        _sample.JointCount = 12;
        for (int j = 0; j < 12; j++)
        {
            _sample.Position[j] = 0.1f * j;
            _sample.Velocity[j] = -0.2f * j;
            _sample.Effort[j] = 1.5f * j;
            _sample.Command[j] = -1.5f * j;
        }

        _producer.Start();
    }

    [GlobalCleanup]
    public void Cleanup() => _producer.Stop();

    [Benchmark(Baseline = true, OperationsPerInvoke = Items)]
    [BenchmarkCategory("TwoThreads")]
    public long ChannelTwoThreads()
    {
        ChannelReader<TelemetrySample> reader = _channel.Reader;
        Volatile.Write(ref _consumed, 0);
        _producer.Run(ProduceToChannel);
        long sum = 0;
        for (long k = 0; k < Items; k++)
        {
            TelemetrySample s;
            while (!reader.TryRead(out s))
            {
                Thread.SpinWait(1);
            }

            sum += Check(s, k);
        }

        _producer.WaitDone();
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Items)]
    [BenchmarkCategory("TwoThreads")]
    public long RingTwoThreads()
    {
        SpscRing<TelemetrySample> ring = _ring;
        Volatile.Write(ref _consumed, 0);
        _producer.Run(ProduceToRing);
        long sum = 0;
        for (long k = 0; k < Items; k++)
        {
            TelemetrySample s;
            while (!ring.TryRead(out s))
            {
                Thread.SpinWait(1);
            }

            sum += Check(s, k);
        }

        _producer.WaitDone();
        return sum;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    [BenchmarkCategory("SingleThread")]
    public float ChannelWriteRead()
    {
        ChannelWriter<TelemetrySample> writer = _channel.Writer;
        ChannelReader<TelemetrySample> reader = _channel.Reader;
        float sum = 0;
        for (int k = 0; k < Batch; k++)
        {
            writer.TryWrite(_sample);
            reader.TryRead(out TelemetrySample s);
            sum += s.Position[1];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    [BenchmarkCategory("SingleThread")]
    public float RingWriteRead()
    {
        SpscRing<TelemetrySample> ring = _ring;
        float sum = 0;
        for (int k = 0; k < Batch; k++)
        {
            ring.TryWrite(in _sample);
            ring.TryRead(out TelemetrySample s);
            sum += s.Position[1];
        }

        return sum;
    }

    private long Check(in TelemetrySample s, long k)
    {
        if (s.MonotonicNs != k)
        {
            throw new InvalidOperationException($"expected sample {k}, got {s.MonotonicNs}: the benchmark must not drop");
        }

        if ((k % ConsumedPublishEvery) == ConsumedPublishEvery - 1)
        {
            Volatile.Write(ref _consumed, k + 1);
        }

        return s.JointCount;
    }

    private void ProduceToRing()
    {
        SpscRing<TelemetrySample> ring = _ring;
        TelemetrySample s = _sample;
        long consumed = 0;
        for (long k = 0; k < Items; k++)
        {
            consumed = WaitForRoom(k, consumed);
            s.MonotonicNs = k;
            ring.TryWrite(in s);
        }
    }

    private void ProduceToChannel()
    {
        ChannelWriter<TelemetrySample> writer = _channel.Writer;
        TelemetrySample s = _sample;
        long consumed = 0;
        for (long k = 0; k < Items; k++)
        {
            consumed = WaitForRoom(k, consumed);
            s.MonotonicNs = k;
            writer.TryWrite(s);
        }
    }

    private long WaitForRoom(long written, long consumed)
    {
        // Stay within the capacity of what the consumer took (published every 64 items): no drops.
        while (written - consumed >= Capacity - ConsumedPublishEvery)
        {
            Thread.SpinWait(1);
            consumed = Volatile.Read(ref _consumed);
        }

        return consumed;
    }

    /// <summary>A long-lived producer thread, so no thread is created (or allocated) per invocation.</summary>
    private sealed class ProducerThread
    {
        private readonly object _lock = new();
        private Thread? _thread;
        private Action? _work;
        private bool _pending;
        private bool _done;
        private bool _stop;

        public void Start()
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = "ring benchmark producer" };
            _thread.Start();
        }

        public void Run(Action work)
        {
            lock (_lock)
            {
                _work = work;
                _done = false;
                _pending = true;
                Monitor.PulseAll(_lock);
            }
        }

        public void WaitDone()
        {
            while (!Volatile.Read(ref _done))
            {
                Thread.SpinWait(1);
            }
        }

        public void Stop()
        {
            lock (_lock)
            {
                _stop = true;
                Monitor.PulseAll(_lock);
            }

            _thread?.Join();
        }

        private void Loop()
        {
            while (true)
            {
                Action work;
                lock (_lock)
                {
                    while (!_pending && !_stop)
                    {
                        Monitor.Wait(_lock);
                    }

                    if (_stop)
                    {
                        return;
                    }

                    _pending = false;
                    work = _work!;
                }

                work();
                Volatile.Write(ref _done, true);
            }
        }
    }
}

/// <summary>Adds an items-per-second column (1 / Mean) to the ring benchmarks.</summary>
public sealed class RingBenchmarkConfig : ManualConfig
{
    public RingBenchmarkConfig() => AddColumn(new ItemsPerSecondColumn());

    private sealed class ItemsPerSecondColumn : IColumn
    {
        public string Id => nameof(ItemsPerSecondColumn);

        public string ColumnName => "Items/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Items moved per second (1 / Mean)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return meanNs is > 0 ? (1e9 / meanNs.Value).ToString("N0", CultureInfo.InvariantCulture) : "NA";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
