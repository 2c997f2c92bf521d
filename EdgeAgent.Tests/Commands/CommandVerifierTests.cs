using System.Security.Cryptography;
using System.Text;
using EdgeAgent.Commands;
using EdgeAgent.Control.Safety;
using EdgeAgent.Protocol.Protos;
using Microsoft.IdentityModel.Tokens;
using Status = EdgeAgent.Protocol.Protos.CommandResult.Types.Status;

namespace EdgeAgent.Tests.Commands;

/// <summary>
/// A command the robot must refuse is refused with its reason and changes nothing: each case is a
/// <c>safe_stop</c> that, had it been carried out, would have latched the robot on the next tick.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CommandVerifierTests
{
    [Test]
    public void SignedSafeStop_Verified_AndLatches()
    {
        using var rig = new CommandRig();

        CommandResult result = rig.Run(rig.Sign(CommandType.SafeStop));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(Status.Done), result.Detail);
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(SafetyState.SafeStop));
        });
    }

    [Test]
    public void Unsigned_AlgNone_Rejected()
    {
        using var rig = new CommandRig();
        string signed = rig.Sign(CommandType.SafeStop);
        string unsigned = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + signed.Split('.')[1] + ".";

        AssertRefused(rig, unsigned, Status.Rejected, "signature does not verify");
    }

    [Test]
    public void SignedWithAnotherKey_Rejected()
    {
        using var rig = new CommandRig();
        using var other = new CommandSigner(ECDsa.Create(ECCurve.NamedCurves.nistP256), rig.Options.Commands.Issuer);
        string token = other.Sign(CommandRig.RobotId, CommandType.SafeStop, TimeSpan.FromMinutes(1), rig.Time.GetUtcNow()).Token;

        AssertRefused(rig, token, Status.Rejected, "wrong signature");
    }

    [Test]
    public void PayloadAltered_Rejected()
    {
        using var rig = new CommandRig();
        string[] parts = rig.Sign(CommandType.Snapshot, scope: "snapshot").Split('.');
        string payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"snapshot\"", "\"safe_stop\"", StringComparison.Ordinal);
        string altered = parts[0] + "." + Base64UrlEncoder.Encode(payload) + "." + parts[2];

        AssertRefused(rig, altered, Status.Rejected, "signature does not verify");
    }

    [Test]
    public void Hs256WithThePublicKeyAsSecret_Rejected()
    {
        // The classic algorithm confusion: an HMAC keyed with the (public) verification key.
        using var rig = new CommandRig();
        string header = Base64UrlEncoder.Encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        string payload = rig.Sign(CommandType.SafeStop).Split('.')[1];
        byte[] mac = HMACSHA256.HashData(rig.VerifierKey.ExportSubjectPublicKeyInfo(), Encoding.ASCII.GetBytes(header + "." + payload));

        AssertRefused(rig, header + "." + payload + "." + Base64UrlEncoder.Encode(mac), Status.Rejected, "signature does not verify");
    }

    [TestCase("", "carries no token")]
    [TestCase("not a token", "not a signed token")]
    [TestCase("a.b.c", "not a signed token")]
    public void Garbage_Rejected(string token, string reason)
    {
        using var rig = new CommandRig();

        AssertRefused(rig, token, Status.Rejected, reason);
    }

    [Test]
    public void Expired_RefusedAsExpired()
    {
        using var rig = new CommandRig();
        string token = rig.Sign(CommandType.SafeStop, lifetime: TimeSpan.FromMinutes(1));
        rig.Time.Advance(TimeSpan.FromMinutes(1) + rig.Options.Commands.ClockSkew + TimeSpan.FromSeconds(1));

        AssertRefused(rig, token, Status.Expired, "expired at");
    }

    [Test]
    public void ExpiredWithinTheClockSkew_Accepted()
    {
        using var rig = new CommandRig();
        string token = rig.Sign(CommandType.Snapshot, lifetime: TimeSpan.FromMinutes(1));
        rig.Time.Advance(TimeSpan.FromMinutes(1) + rig.Options.Commands.ClockSkew - TimeSpan.FromSeconds(1));

        Assert.That(rig.Run(token).Status, Is.EqualTo(Status.Done));
    }

    [Test]
    public void IssuedInTheFuture_Refused()
    {
        using var rig = new CommandRig();
        string token = rig.Signer.Sign(CommandRig.RobotId, CommandType.SafeStop, TimeSpan.FromMinutes(1), rig.Time.GetUtcNow().AddMinutes(2)).Token;

        AssertRefused(rig, token, Status.Expired, "in the future");
    }

    [Test]
    public void LifetimeOverTheRobotsMaximum_Rejected()
    {
        using var rig = new CommandRig();

        AssertRefused(rig, rig.Sign(CommandType.SafeStop, lifetime: TimeSpan.FromHours(2)), Status.Rejected, "commands.max_lifetime");
    }

    [Test]
    public void Replayed_RejectedTheSecondTime()
    {
        using var rig = new CommandRig();
        string stop = rig.Sign(CommandType.SafeStop);
        Assert.That(rig.Run(stop).Status, Is.EqualTo(Status.Done));
        rig.Runner.Run(TimeSpan.FromSeconds(2));
        CommandResult reset = rig.Run(rig.Sign(CommandType.Reset));
        Assert.That(reset.Status, Is.EqualTo(Status.Done), reset.Detail);

        AssertRefused(rig, stop, Status.Rejected, "replayed", expectedTrips: 1);
    }

    [Test]
    public void SameIdInANewToken_Replayed()
    {
        using var rig = new CommandRig();
        Assert.That(rig.Run(rig.Sign(CommandType.Snapshot, id: "cmd-1")).Status, Is.EqualTo(Status.Done));

        AssertRefused(rig, rig.Sign(CommandType.SafeStop, id: "cmd-1"), Status.Rejected, "replayed");
    }

    [Test]
    public void IdForgottenOnlyAfterItsCommandExpired()
    {
        using var rig = new CommandRig();
        Assert.That(rig.Run(rig.Sign(CommandType.Snapshot, id: "cmd-1", lifetime: TimeSpan.FromMinutes(1))).Status, Is.EqualTo(Status.Done));
        rig.Time.Advance(TimeSpan.FromMinutes(1) + rig.Options.Commands.ClockSkew + TimeSpan.FromSeconds(1));

        // The old token is expired now, so a new one may reuse the id without opening a replay.
        Assert.That(rig.Run(rig.Sign(CommandType.Snapshot, id: "cmd-1")).Status, Is.EqualTo(Status.Done));
    }

    [Test]
    public void TypeNotInTheTokensScope_NotPermitted()
    {
        using var rig = new CommandRig();

        AssertRefused(rig, rig.Sign(CommandType.SafeStop, scope: "snapshot flush_telemetry"), Status.NotPermitted, "Permission denied: the fleet's token does not grant 'safe_stop'");
    }

    [Test]
    public void TypeNotInTheRobotsAllowList_NotPermitted()
    {
        using var rig = new CommandRig(allow: [CommandType.Snapshot]);

        AssertRefused(rig, rig.Sign(CommandType.SafeStop), Status.NotPermitted, "Permission denied: this robot does not accept 'safe_stop'");
    }

    [Test]
    public void AddressedToAnotherRobot_Rejected()
    {
        using var rig = new CommandRig();
        string token = rig.Signer.Sign("robot-8", CommandType.SafeStop, TimeSpan.FromMinutes(1), rig.Time.GetUtcNow()).Token;

        AssertRefused(rig, token, Status.Rejected, "another robot");
    }

    [Test]
    public void AnotherIssuer_Rejected()
    {
        using var rig = new CommandRig();
        using var other = new CommandSigner(ECDsa.Create(rig.FleetKey.ExportParameters(true)), "someone-else");
        string token = other.Sign(CommandRig.RobotId, CommandType.SafeStop, TimeSpan.FromMinutes(1), rig.Time.GetUtcNow()).Token;

        AssertRefused(rig, token, Status.Rejected, "issuer is 'someone-else'");
    }

    [Test]
    public void UnknownType_Rejected()
    {
        using var rig = new CommandRig();

        AssertRefused(rig, rig.Sign("self_destruct"), Status.Rejected, "not a command type");
    }

    [Test]
    public void LoadPublicKey_PrivateKeyFile_RefusedWithTheFix()
    {
        string dir = Directory.CreateTempSubdirectory("edge-agent-keys-").FullName;
        try
        {
            (string privateKey, string publicKey) = CommandSigner.WriteKeyPair(dir);

            var ex = Assert.Throws<InvalidOperationException>(() => CommandVerifier.LoadPublicKey(privateKey));
            using ECDsa loaded = CommandVerifier.LoadPublicKey(publicKey);
            using ECDsa signing = CommandSigner.LoadPrivateKey(privateKey);

            Assert.Multiple(() =>
            {
                Assert.That(ex!.Message, Does.Contain("holds a private key").And.Contain("Fix:"));
                Assert.That(File.GetUnixFileMode(privateKey), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
                Assert.That(loaded.KeySize, Is.EqualTo(256));
                Assert.That(loaded.ExportSubjectPublicKeyInfo(), Is.EqualTo(signing.ExportSubjectPublicKeyInfo()));
                Assert.Throws<IOException>(() => CommandSigner.WriteKeyPair(dir), "a fleet key is never overwritten");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void LoadKeys_BadFiles_NameTheFileAndTheFix()
    {
        string dir = Directory.CreateTempSubdirectory("edge-agent-keys-").FullName;
        try
        {
            string garbage = Path.Combine(dir, "garbage.pub");
            File.WriteAllText(garbage, "not a key");
            string p384 = Path.Combine(dir, "p384.pub");
            using (ECDsa big = ECDsa.Create(ECCurve.NamedCurves.nistP384))
            {
                File.WriteAllText(p384, big.ExportSubjectPublicKeyInfoPem());
            }

            string open = Path.Combine(dir, "open.key");
            using (ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                File.WriteAllText(open, key.ExportPkcs8PrivateKeyPem());
            }

            File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

            Assert.Multiple(() =>
            {
                Assert.That(() => CommandVerifier.LoadPublicKey(Path.Combine(dir, "missing.pub")), Throws.InvalidOperationException.With.Message.Contains("cannot be read").And.Message.Contains("Fix:"));
                Assert.That(() => CommandVerifier.LoadPublicKey(garbage), Throws.InvalidOperationException.With.Message.Contains(garbage).And.Message.Contains("not a PEM EC public key"));
                Assert.That(() => CommandVerifier.LoadPublicKey(p384), Throws.InvalidOperationException.With.Message.Contains("384-bit"));
                Assert.That(() => CommandSigner.LoadPrivateKey(open), Throws.InvalidOperationException.With.Message.Contains("can be read by others").And.Message.Contains("chmod 600"));
                Assert.That(() => CommandSigner.LoadPrivateKey(garbage + ".none"), Throws.InvalidOperationException.With.Message.Contains("does not exist"));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Config_KeyFileTheLinkCouldNotUse_RefusedAtLoadNamingTheKey()
    {
        string dir = Directory.CreateTempSubdirectory("edge-agent-keys-").FullName;
        try
        {
            (string privateKey, string publicKey) = CommandSigner.WriteKeyPair(dir);
            var environment = new Dictionary<string, string> { ["CLOUD_ENDPOINT"] = "http://127.0.0.1:50051" };

            environment["EDGEAGENT__COMMANDS__PUBLIC_KEY_FILE"] = privateKey;
            var ex = Assert.Throws<EdgeAgent.Configuration.AgentConfigException>(() => EdgeAgent.Configuration.AgentConfigLoader.Load(Support.RepoPaths.DefaultConfig, environment));
            environment["EDGEAGENT__COMMANDS__PUBLIC_KEY_FILE"] = publicKey;
            EdgeAgent.Configuration.AgentOptions good = EdgeAgent.Configuration.AgentConfigLoader.Load(Support.RepoPaths.DefaultConfig, environment);

            Assert.Multiple(() =>
            {
                Assert.That(ex!.Errors.Select(e => e.ToString()), Has.One.Contains("commands.public_key_file").And.Contains("holds a private key"));
                Assert.That(good.Commands.PublicKeyFile, Is.EqualTo(publicKey));
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void AssertRefused(CommandRig rig, string token, Status status, string reason, int expectedTrips = 0)
    {
        SafetyState before = rig.Parts.Safety.State;
        long version = rig.Parts.Tuning.Current.Version;

        CommandResult result = rig.Run(token);
        rig.Runner.Run(TimeSpan.FromMilliseconds(50));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(status), result.Detail);
            Assert.That(result.Detail, Does.Contain(reason));
            Assert.That(rig.Parts.Safety.State, Is.EqualTo(before), "a refused command changes nothing");
            Assert.That(rig.Parts.Safety.Trips(SafetyCause.Requested), Is.EqualTo(expectedTrips));
            Assert.That(rig.Parts.Tuning.Current.Version, Is.EqualTo(version));
            Assert.That(rig.State.Refused, Is.EqualTo(1));
            Assert.That(rig.State.Last, Does.Contain(reason));
        });
    }
}
