using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeAgent.Configuration;
using EdgeAgent.Ingest;
using EdgeAgent.Sampling;
using EdgeAgent.Uplink;
using Microsoft.Extensions.Logging;

using EdgeAgent.Tests.Support;

namespace EdgeAgent.Tests.Uplink;

[NonParallelizable]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UplinkSecurityTests
{
    private const string Token = "tok-7f3a9c1e55d2";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("edge-agent-tls-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task Send_TlsWithPrivateCaConfigured_Delivered()
    {
        (string ca, ReceiverOptions receiver) = TlsReceiver();
        await using var rig = await UplinkRig.StartAsync(o => o.Uplink.CaFile = ca, receiverOptions: receiver);

        rig.Produce(200);

        Assert.That(rig.Receiver!.Address.Scheme, Is.EqualTo("https"));
        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Samples == 200, Bound), Is.True, $"received {rig.Received}");
    }

    [Test]
    public async Task Send_TlsWithoutTheCa_NotTrustedNothingDeliveredBatchesKept()
    {
        (_, ReceiverOptions receiver) = TlsReceiver();
        await using var rig = await UplinkRig.StartAsync(receiverOptions: receiver);

        rig.Produce(200);

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Uplink.Counters.Spilled == 2, Bound), Is.True, "the untrusted server gets nothing; the batches are kept");
        Assert.That(rig.Received.Batches, Is.Zero);
    }

    [Test]
    public async Task Send_BearerTokenFromPrivateFile_AcceptedAndNeverLogged()
    {
        string tokenFile = TokenFile(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var log = new ListLogger();
        await using var rig = await UplinkRig.StartAsync(
            o => o.Uplink.TokenFile = tokenFile,
            receiverOptions: new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), ExpectedToken = Token },
            logger: log);

        rig.Produce(300);

        Assert.That(await UplinkRig.WaitUntilAsync(() => rig.Received.Samples == 300, Bound), Is.True, $"received {rig.Received}");
        Assert.That(log.Lines, Has.None.Contains(Token));
    }

    [Test]
    public void Start_TokenFileReadableByOthers_RefusedWithTheFix()
    {
        string tokenFile = TokenFile(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        AgentOptions options = UplinkRig.TestOptions(Path.Combine(_dir, "spill"), new Uri("http://127.0.0.1:9"));
        options.Uplink.TokenFile = tokenFile;

        var ex = Assert.Throws<InvalidOperationException>(() =>
            new TelemetryUplink(options, new SpscRing<TelemetrySample>(16), "boot", new ListLogger(), TimeProvider.System).Dispose());

        Assert.That(ex!.Message, Does.Contain("chmod 600").And.Not.Contain(Token));
    }

    [Test]
    public void Start_TokenOverPlainHttpToAnotherHost_Refused()
    {
        AgentOptions options = UplinkRig.TestOptions(Path.Combine(_dir, "spill"), new Uri("http://ingest.example.invalid:80"));
        options.Uplink.TokenFile = TokenFile(UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var ex = Assert.Throws<InvalidOperationException>(() =>
            new TelemetryUplink(options, new SpscRing<TelemetrySample>(16), "boot", new ListLogger(), TimeProvider.System).Dispose());

        Assert.That(ex!.Message, Does.Contain("https"));
    }

    private string TokenFile(UnixFileMode mode)
    {
        string path = Path.Combine(_dir, "token-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, Token + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    /// <summary>A private CA and a server certificate for 127.0.0.1 signed by it, as PEM files.</summary>
    private (string CaPem, ReceiverOptions Receiver) TlsReceiver()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EdgeAgent Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(san.Build());
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using X509Certificate2 server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), [1, 2, 3, 4]);

        string caPem = Path.Combine(_dir, "ca.pem");
        string certPem = Path.Combine(_dir, "server.pem");
        string keyPem = Path.Combine(_dir, "server.key");
        File.WriteAllText(caPem, ca.ExportCertificatePem());
        File.WriteAllText(certPem, server.ExportCertificatePem());
        File.WriteAllText(keyPem, serverKey.ExportPkcs8PrivateKeyPem());
        return (caPem, new ReceiverOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), CertificatePath = certPem, KeyPath = keyPem });
    }
}
