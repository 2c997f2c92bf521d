using EdgeAgent.Configuration;
using EdgeAgent.Control;
using EdgeAgent.Control.Timing;
using EdgeAgent.Hal;
using EdgeAgent.Observability;
using EdgeAgent.Uplink;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeAgent.Hosting;

/// <summary>Builds the agent's host: configuration, HAL, control stack, hosted services, systemd integration.</summary>
internal static class AgentHost
{
    /// <summary>Builds the host for a validated configuration.</summary>
    /// <param name="options">The validated configuration.</param>
    /// <param name="settings">What the run verb was asked to do.</param>
    /// <returns>The host, not started.</returns>
    public static IHost Build(AgentOptions options, RunSettings settings)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "edge-agent",
            ContentRootPath = AppContext.BaseDirectory,
        });

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);

        IServiceCollection services = builder.Services;
        services.AddSystemd();

        // AddSystemd registers the notifier only under systemd; the watchdog wants it always (disabled outside).
        services.TryAddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = ControlLoopsService.ShutdownBudget(options) + TimeSpan.FromSeconds(5));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings);
        services.AddSingleton(options);
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddOptions<AgentOptions>().Configure(o => AgentOptions.CopySections(options, o)).ValidateOnStart();
        services.AddSingleton(sp => new ControlParts(options, HalFactory.Create(options, MonotonicClock.Instance)));
        services.AddSingleton(sp => sp.GetRequiredService<ControlParts>().Sampler);
        services.AddSingleton(sp => new TelemetryUplink(
            options, sp.GetRequiredService<ControlParts>().Ring, Guid.CreateVersion7().ToString(), sp.GetRequiredService<ILogger<TelemetryUplink>>(), TimeProvider.System));

        // First: started (and scraped once) before the loops' warm-up, whose compacting GC then collects its
        // start-up garbage while no loop runs; stopped last, so the shutdown stop can be watched on /status.
        services.AddSingleton<HealthMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        services.AddSingleton<AgentMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<AgentMetrics>());
        services.AddSingleton<AgentStatusSource>();
        services.AddSingleton<ObservabilityServer>();
        services.AddHostedService(sp => sp.GetRequiredService<ObservabilityServer>());

        // Registered before the loops: hosted services stop in reverse order, so the uplink stops after the
        // loops and batches their last samples before spilling what is left.
        services.AddHostedService<UplinkService>();
        services.AddHostedService<SampleAnnotator>();
        services.AddSingleton<ControlLoopsService>();
        services.AddHostedService(sp => sp.GetRequiredService<ControlLoopsService>());
        services.AddHostedService<StatusReporter>();
        services.AddHostedService<SystemdWatchdog>();
        services.AddHostedService<SystemdReadiness>();
        services.AddSingleton<Ros2DiagnosticsPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<Ros2DiagnosticsPublisher>());
        services.AddHostedService<OperatorSignals>();
        services.AddSingleton<ConfigReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigReloader>());
        if (settings.Duration is { } duration)
        {
            services.AddHostedService(sp => new RunDuration(duration, sp.GetRequiredService<IHostApplicationLifetime>()));
        }

        return builder.Build();
    }

    /// <summary>Stops the application after the <c>--duration</c> of the run.</summary>
    private sealed class RunDuration(TimeSpan duration, IHostApplicationLifetime lifetime) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            try
            {
                await Task.Delay(duration, stoppingToken).ConfigureAwait(false);
                lifetime.StopApplication();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }
    }
}
