using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using EdgeAgent.Protocol;

namespace EdgeAgent.Ingest;

/// <summary>
/// The reference implementation of the <c>TelemetryIngest</c> receiver: a Kestrel gRPC server (HTTP/2, cleartext
/// or TLS) that acknowledges, de-duplicates and counts batches and optionally writes them as JSON lines. For
/// development, fleet simulation and tests (<see cref="Faults"/>). Listens on loopback only unless allowed.
/// </summary>
internal sealed class ReferenceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IBatchStore _store;
    private readonly X509Certificate2? _certificate;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopRules = new();
    private readonly Task? _rulesLoop;
    private int _stopped;

    private ReferenceReceiver(WebApplication app, IBatchStore store, X509Certificate2? certificate, ReceiverStatistics statistics, ReceiverFaults faults, CommandHub commands, FleetRules? rules, Uri address, ILogger logger)
    {
        Commands = commands;
        Rules = rules;
        _rulesLoop = rules?.RunAsync(_stopRules.Token);
        _app = app;
        _store = store;
        _certificate = certificate;
        Statistics = statistics;
        Faults = faults;
        Address = address;
        _logger = logger;
    }

    /// <summary>Gets the address clients connect to, for example <c>http://127.0.0.1:50051</c>.</summary>
    public Uri Address { get; }

    /// <summary>Gets the port listened on (the chosen one when <see cref="ReceiverOptions.Listen"/> had port 0).</summary>
    public int Port => Address.Port;

    /// <summary>Gets the live counts per robot.</summary>
    public ReceiverStatistics Statistics { get; }

    /// <summary>Gets where the batches go (its description has no secrets).</summary>
    public string Store => _store.Description;

    /// <summary>Gets the fleet command links held here (which robots are connected; issue a signed command to one).</summary>
    public CommandHub Commands { get; }

    /// <summary>Gets the fleet rules (null when off).</summary>
    public FleetRules? Rules { get; }

    /// <summary>Gets the fault injector.</summary>
    public ReceiverFaults Faults { get; }

    /// <summary>Starts a receiver.</summary>
    /// <param name="options">The options.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running receiver.</returns>
    /// <exception cref="ArgumentException">The listen address is not loopback and <see cref="ReceiverOptions.AllowRemote"/> is not set, or only one of the certificate and key is given.</exception>
    public static async Task<ReferenceReceiver> StartAsync(ReceiverOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        IPEndPoint listen = options.Listen ?? throw new ArgumentException("ReceiverOptions.Listen must be set.", nameof(options));
        if (!IPAddress.IsLoopback(listen.Address) && !options.AllowRemote)
        {
            throw new ArgumentException(
                $"ReceiverOptions.Listen {listen} is not a loopback address; the receiver listens on the network only when ReceiverOptions.AllowRemote is set (edge-agent receive --allow-remote). Use 127.0.0.1 or ::1 otherwise.",
                nameof(options));
        }

        bool tls = options.CertificatePath is not null || options.KeyPath is not null;
        if (tls && (options.CertificatePath is null || options.KeyPath is null))
        {
            throw new ArgumentException("ReceiverOptions.CertificatePath and ReceiverOptions.KeyPath (--cert and --key) must be given together.", nameof(options));
        }

        X509Certificate2? certificate = tls ? X509Certificate2.CreateFromPemFile(options.CertificatePath!, options.KeyPath) : null;
        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var statistics = new ReceiverStatistics();
        var faults = new ReceiverFaults();
        var hub = new CommandHub();
        if (options.StoreUrl is not null && options.OutputPath is not null)
        {
            throw new ArgumentException("ReceiverOptions.StoreUrl and ReceiverOptions.OutputPath (--store and --out) are alternatives: the fleet store holds every batch; give one.", nameof(options));
        }

        IBatchStore store;
        try
        {
            store = options.StoreUrl is null
                ? new MemoryBatchStore(statistics, options.OutputPath is null ? null : new JsonLinesSink(options.OutputPath))
                : await PostgresBatchStore.OpenAsync(options.StoreUrl, options.Name ?? $"{Environment.MachineName}/{listen}", statistics, loggerFactory.CreateLogger<PostgresBatchStore>(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            certificate?.Dispose();
            throw;
        }

        FleetRules? rules = null;
        WebApplication? app = null;
        try
        {
            if (options.Rules is { } ruleOptions)
            {
                EdgeAgent.Commands.CommandSigner? signer = options.FleetKeyPath is null
                    ? null
                    : new EdgeAgent.Commands.CommandSigner(EdgeAgent.Commands.CommandSigner.LoadPrivateKey(options.FleetKeyPath), options.FleetIssuer);
                rules = new FleetRules(ruleOptions, hub, store, signer, loggerFactory.CreateLogger<FleetRules>(), options.Time ?? TimeProvider.System);
            }

            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggerFactory);
            builder.Services.AddSingleton<IHostLifetime, ReceiverHostLifetime>();
            builder.Services.AddSingleton(new ReceiverState(statistics, faults, store, options.ExpectedToken, rules, options.Advertise));
            builder.Services.AddSingleton(hub);
            builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = BatchLimits.MaxMessageBytes);
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(listen, endpoint =>
                {
                    endpoint.Protocols = HttpProtocols.Http2;
                    if (certificate is not null)
                    {
                        endpoint.UseHttps(certificate);
                    }
                });
            });

            app = builder.Build();
            app.MapGrpcService<IngestService>();
            app.MapGrpcService<FleetCommandsService>();
            app.MapGrpcService<FleetControlService>();
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var address = new UriBuilder(tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, listen.Address.ToString(), new Uri(bound).Port).Uri;
            ILogger logger = loggerFactory.CreateLogger<ReferenceReceiver>();
            IngestLog.Listening(logger, address, tls, options.ExpectedToken is not null, store.Description);
            return new ReferenceReceiver(app, store, certificate, statistics, faults, hub, rules, address, logger);
        }
        catch
        {
            rules?.Dispose();
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            await store.DisposeAsync().ConfigureAwait(false);
            certificate?.Dispose();
            throw;
        }
    }

    /// <summary>Stops listening; calls in progress get <paramref name="cancellationToken"/>'s grace to finish.</summary>
    /// <param name="cancellationToken">Ends the grace period.</param>
    /// <returns>A task that completes when stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _stopRules.CancelAsync().ConfigureAwait(false);
        if (_rulesLoop is not null)
        {
            await _rulesLoop.ConfigureAwait(false);
        }

        await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        IngestLog.Stopped(_logger, Address);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await StopAsync(grace.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (Rules is not null)
        {
            try
            {
                await Rules.IdleAsync().WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A rule's command still waits for a robot that will not answer a stopped receiver: leave it.
            }

            Rules.Dispose();
        }

        await _store.DisposeAsync().ConfigureAwait(false);
        _certificate?.Dispose();
        _stopRules.Dispose();
    }

    /// <summary>A host lifetime that leaves signals to the owner (the CLI verb or the test), unlike the console lifetime.</summary>
    private sealed class ReceiverHostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
