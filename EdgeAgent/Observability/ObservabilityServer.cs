using System.Net;
using System.Text.Json;
using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Hosting;
using EdgeAgent.Uplink;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace EdgeAgent.Observability;

/// <summary>
/// The operator's endpoint (<c>observability.listen</c>, loopback by default): <c>/metrics</c> (Prometheus text
/// exposition of the <see cref="AgentMetrics"/> meter and the runtime's own, by the OpenTelemetry exporter),
/// <c>/healthz</c> (alive), <c>/readyz</c> (ready) and <c>/status</c> (<see cref="AgentStatus"/> as JSON).
/// Its own Kestrel on plain HTTP/1.1, started first and stopped last, so a shutdown stop can be watched. A port
/// that cannot be bound is a warning: the robot keeps its loops without the endpoint.
/// </summary>
internal sealed class ObservabilityServer : IHostedService, IAsyncDisposable
{
    private readonly AgentOptions _options;
    private readonly AgentStatusSource _status;
    private readonly HealthMonitor _health;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private WebApplication? _app;
    private MeterProvider? _meterProvider;
    private Task _starting = Task.CompletedTask;

    /// <summary>Initializes a new instance of the <see cref="ObservabilityServer"/> class.</summary>
    public ObservabilityServer(AgentOptions options, AgentStatusSource status, HealthMonitor health, ILoggerFactory loggerFactory)
    {
        _options = options;
        _status = status;
        _health = health;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ObservabilityServer>();
    }

    /// <summary>Gets the address the endpoint listens on (with the port Kestrel picked for port 0); null when off or not started.</summary>
    public Uri? Address { get; private set; }

    /// <summary>Takes the status now.</summary>
    /// <returns>The status.</returns>
    public AgentStatus Status() => _status.Take();

    /// <summary>
    /// Starts the endpoint and scrapes it once, before the loops start. Registered before the control loops,
    /// so its start-up garbage (Kestrel, the exporter, their first requests: the heap grows from about 7 to
    /// 18 MB) is collected by the warm-up's compacting GC while no loop runs. Started in the background
    /// instead, those collections fell into the running loops: non-concurrent gen2 pauses of 25-50 ms, measured
    /// as the longest control gap (scripts/bench-observability.sh), against a 75 ms max_control_gap. The price
    /// is about 0.55 s more from start to the first motor tick.
    /// </summary>
    /// <param name="cancellationToken">Not used: a failed start is a warning, never the agent's end.</param>
    /// <returns>A task that completes when the endpoint is up, or has failed.</returns>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Observability.TryParseListen(out IPEndPoint? listen) is { } error)
        {
            HostingLog.ObservabilityFailed(_logger, _options.Observability.Listen, error);
        }
        else if (listen is null)
        {
            HostingLog.ObservabilityOff(_logger);
        }
        else
        {
            _starting = StartCoreAsync(listen);
        }

        return _starting;
    }

    private async Task StartCoreAsync(IPEndPoint listen)
    {
        MeterProvider meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(AgentMetrics.MeterName, "System.Runtime")

            // Three runtime gauges are named *.count, which Prometheus reserves for histograms and summaries
            // (promtool check metrics flags them); they say little on a robot, so they are left out.
            .AddView("dotnet.assembly.count", MetricStreamConfiguration.Drop)
            .AddView("dotnet.process.cpu.count", MetricStreamConfiguration.Drop)
            .AddView("dotnet.timer.count", MetricStreamConfiguration.Drop)
            .AddPrometheusExporter(o =>
            {
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                o.ScopeInfoEnabled = false;
            })
            .Build();
        WebApplication? app = null;
        try
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton<IHostLifetime, OwnerLifetime>();
            builder.WebHost.ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Limits.MaxConcurrentConnections = 16;
                kestrel.Limits.MaxRequestBodySize = 0;
                kestrel.Listen(listen, endpoint => endpoint.Protocols = HttpProtocols.Http1);
            });
            app = builder.Build();
            app.UseOpenTelemetryPrometheusScrapingEndpoint(meters, predicate: null, path: "/metrics", configureBranchedPipeline: null, optionsName: null);
            app.MapGet("/healthz", (HttpContext http) => Probe(http, _health.Current.Alive, "alive"));
            app.MapGet("/readyz", (HttpContext http) => Probe(http, _health.Current.Ready, "ready"));
            app.MapGet("/status", (HttpContext http) => WriteStatus(http));
            await app.StartAsync(CancellationToken.None).ConfigureAwait(false);
            string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Address = new UriBuilder(Uri.UriSchemeHttp, listen.Address.ToString(), new Uri(bound).Port).Uri;
            _app = app;
            _meterProvider = meters;
            HostingLog.ObservabilityListening(_logger, Address.ToString());
        }
        catch (Exception ex)
        {
            // Any failure (the port is taken, the address is not on this machine): a warning, never the agent.
            HostingLog.ObservabilityFailed(_logger, _options.Observability.Listen, ex.InnerException?.Message ?? ex.Message);
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            meters.Dispose();
            return;
        }

        // One scrape of each now (/status answers 503 before the loops run: that is fine): what the first
        // requests allocate and load is then start-up garbage too. A failure here costs nothing but that.
        try
        {
            using var self = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using HttpResponseMessage metrics = await self.GetAsync(new Uri(Address, "metrics")).ConfigureAwait(false);
            using HttpResponseMessage status = await self.GetAsync(new Uri(Address, "status")).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            _ = ex;
        }
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _starting.ConfigureAwait(false);
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _starting.ConfigureAwait(false);
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }

        _meterProvider?.Dispose();
        _meterProvider = null;
    }

    private Task Probe(HttpContext http, bool ok, string word)
    {
        http.Response.StatusCode = ok ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        return http.Response.WriteAsync(ok ? word + "\n" : "not " + word + ": " + _health.Current.Reason + "\n");
    }

    private async Task WriteStatus(HttpContext http)
    {
        AgentStatus status = Status();
        http.Response.StatusCode = status.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(http.Response.Body, status, AgentStatusJson.Default.AgentStatus, http.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Leaves signals to the agent's own host.</summary>
    private sealed class OwnerLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
