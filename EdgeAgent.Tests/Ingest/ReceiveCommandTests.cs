using EdgeAgent.Cli;

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

        Assert.That(exit, Is.EqualTo(64));
    }
}
