using EdgeAgent.Ingest;
using Npgsql;

namespace EdgeAgent.Tests.Ingest;

public sealed class PostgresUrlTests
{
    [Test]
    public void Parse_FullUrl_EveryPart()
    {
        NpgsqlConnectionStringBuilder b = PostgresUrl.Parse("postgresql://fleet%40ops:s3cr%3At@db.example.com:6543/fleet_prod?sslmode=verify-full&application_name=rx-1&connect_timeout=7");
        Assert.Multiple(() =>
        {
            Assert.That(b.Username, Is.EqualTo("fleet@ops"));
            Assert.That(b.Password, Is.EqualTo("s3cr:t"));
            Assert.That(b.Host, Is.EqualTo("db.example.com"));
            Assert.That(b.Port, Is.EqualTo(6543));
            Assert.That(b.Database, Is.EqualTo("fleet_prod"));
            Assert.That(b.SslMode, Is.EqualTo(SslMode.VerifyFull));
            Assert.That(b.ApplicationName, Is.EqualTo("rx-1"));
            Assert.That(b.Timeout, Is.EqualTo(7));
        });
    }

    [Test]
    public void Parse_UnixSocket_HostFromTheQuery()
    {
        NpgsqlConnectionStringBuilder b = PostgresUrl.Parse("postgres:///fleet?host=/run/postgresql");
        Assert.That((b.Host, b.Port, b.Database, b.Password), Is.EqualTo(("/run/postgresql", 5432, "fleet", (string?)null)));
    }

    [TestCase("mysql://db/fleet", "is not a postgresql:// URL")]
    [TestCase("fleet.db", "is not a postgresql:// URL")]
    [TestCase("postgresql://db/fleet?sslmode=maybe", "sslmode=maybe is not one of")]
    [TestCase("postgresql://db/fleet?pool=9", "pool=9 is unknown")]
    [TestCase("postgresql://db/fleet?connect_timeout=-3", "connect_timeout=-3 is unknown or out of range")]
    public void Parse_Bad_SaysWhatAndHow(string url, string expected)
    {
        Assert.That(() => PostgresUrl.Parse(url), Throws.ArgumentException.With.Message.Contains(expected));
    }

    [Test]
    public void Parse_BadUrlWithPassword_MessageHidesIt()
    {
        Assert.That(() => PostgresUrl.Parse("mysql://u:hunter2@db/fleet"), Throws.ArgumentException.With.Message.Not.Contains("hunter2").And.Message.Contains("u:***@db"));
    }

    [TestCase("postgresql://u:hunter2@db:5432/f", "postgresql://u:***@db:5432/f")]
    [TestCase("postgresql://u@db/f", "postgresql://u@db/f")]
    [TestCase("postgresql:///f?host=/run/postgresql", "postgresql:///f?host=/run/postgresql")]
    public void Describe_HidesThePassword(string url, string expected)
    {
        Assert.That(PostgresUrl.Describe(url), Is.EqualTo(expected));
    }
}
