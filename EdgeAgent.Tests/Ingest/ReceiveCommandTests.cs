using EdgeAgent.Cli;
using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Ingest;

public sealed class ReceiveCommandTests
{
    [Test]
    public async Task Invoke_LoopbackUntilCancelled_ExitsZero()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));

        int exit = await ReceiveCommand.Create().Parse(["--listen", "127.0.0.1:0"]).InvokeAsync(cancellationToken: stop.Token);

        Assert.That(exit, Is.Zero);
    }

    [TestCase("10.1.2.3:0")]
    [TestCase("localhost:50051")]
    public async Task Invoke_NonLoopbackOrNotAnAddress_ExitsUsage(string listen)
    {
        int exit = await ReceiveCommand.Create().Parse(["--listen", listen]).InvokeAsync();

        Assert.That(exit, Is.EqualTo(2));
    }

    // The real binary, stopped the way systemd (SIGTERM) and an operator at a terminal (SIGINT) stop it: it
    // prints its closing summary and exits 0 (System.CommandLine's own handler returned 143/130 without one).
    [TestCase(15)]
    [TestCase(2)]
    public void Process_Signal_PrintsSummaryAndExitsZero(int signal)
    {
        using var receiver = AgentProcess.Start("receive", "--listen", "127.0.0.1:0");
        Assert.That(receiver.WaitForOutput("listening on", TimeSpan.FromSeconds(60)), Is.True, receiver.Stderr);

        receiver.Signal(signal);
        int exit = receiver.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.Zero, receiver.Stdout + receiver.Stderr);
            Assert.That(receiver.Stdout, Does.Contain("summary no batches yet"));
        });
    }
}
