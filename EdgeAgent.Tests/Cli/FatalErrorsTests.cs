using EdgeAgent.Cli;

namespace EdgeAgent.Tests.Cli;

public sealed class FatalErrorsTests
{
    [Test]
    public void Format_NestedExceptionWithAStack_OneLineAtErrorPriorityInTheJournal()
    {
        Exception caught;
        try
        {
            Thrower();
            return;
        }
        catch (Exception ex)
        {
            caught = ex;
        }

        string journal = FatalErrors.Format(caught, journal: true);
        string terminal = FatalErrors.Format(caught, journal: false);

        Assert.Multiple(() =>
        {
            Assert.That(journal, Does.StartWith("<3>edge-agent: unhandled error"));
            Assert.That(terminal, Does.StartWith("edge-agent: unhandled error"));
            Assert.That(journal, Does.Not.Contain('\n').And.Not.Contain('\r'), "one journal entry");
            Assert.That(journal, Does.Contain("System.InvalidOperationException: outer").And.Contain(" ---> System.IO.IOException: inner on two lines"));
            Assert.That(journal, Does.Contain(nameof(Thrower)), "the frames are there");
        });
    }

    private static void Thrower()
    {
        try
        {
            throw new IOException("inner\non two lines");
        }
        catch (IOException inner)
        {
            throw new InvalidOperationException("outer", inner);
        }
    }
}
