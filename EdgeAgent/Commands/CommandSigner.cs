using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EdgeAgent.Commands;

/// <summary>
/// The fleet's half of a command: an ES256-signed token (a JWT) with the claims <see cref="CommandVerifier"/>
/// checks. Used by <c>edge-agent fleet command</c>, the receiver's fleet rules and the tests.
/// </summary>
internal sealed class CommandSigner : IDisposable
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials;
    private readonly ECDsa _key;

    /// <summary>Initializes a new instance of the <see cref="CommandSigner"/> class.</summary>
    /// <param name="privateKey">The fleet's P-256 private key (owned by the signer from now on).</param>
    /// <param name="issuer">The issuer claim.</param>
    public CommandSigner(ECDsa privateKey, string issuer)
    {
        _key = privateKey;
        Issuer = issuer;
        _credentials = new SigningCredentials(new ECDsaSecurityKey(privateKey), SecurityAlgorithms.EcdsaSha256);
    }

    /// <summary>Gets the issuer claim of every token.</summary>
    public string Issuer { get; }

    /// <summary>Reads the fleet's private key (PEM, EC P-256), refusing a file others can read.</summary>
    /// <param name="path">The key file (<c>edge-agent fleet keygen</c> writes it with mode 0600).</param>
    /// <returns>The key.</returns>
    /// <exception cref="InvalidOperationException">The file is missing, readable by others, or not a P-256 private key.</exception>
    public static ECDsa LoadPrivateKey(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"the fleet key '{path}' does not exist. Fix: create one with 'edge-agent fleet keygen --out DIR'.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.OtherRead | UnixFileMode.GroupRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)) != 0)
        {
            throw new InvalidOperationException($"the fleet key '{path}' can be read by others. Fix: chmod 600 '{path}'.");
        }

        return FleetKey.Import(File.ReadAllText(path), $"the fleet key '{path}'", "private key", "give the fleet.key file 'edge-agent fleet keygen' wrote", needPrivate: true);
    }

    /// <summary>Writes a new fleet key pair: <c>fleet.key</c> (private, mode 0600) and <c>fleet.pub</c> (the robots' <c>commands.public_key_file</c>).</summary>
    /// <param name="directory">Where to write them (created if missing).</param>
    /// <returns>The two paths.</returns>
    /// <exception cref="IOException">A key file exists already (it is never overwritten).</exception>
    public static (string PrivateKey, string PublicKey) WriteKeyPair(string directory)
    {
        Directory.CreateDirectory(directory);
        string privatePath = Path.Combine(directory, "fleet.key");
        string publicPath = Path.Combine(directory, "fleet.pub");
        if (File.Exists(privatePath) || File.Exists(publicPath))
        {
            throw new IOException($"'{privatePath}' or '{publicPath}' exists already; a fleet key is never overwritten. Fix: choose another directory, or remove the old pair deliberately.");
        }

        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(privatePath, Encoding.ASCII, options))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem() + "\n");
        return (privatePath, publicPath);
    }

    /// <summary>Signs a command.</summary>
    /// <param name="robotId">The robot it is for (<c>aud</c>).</param>
    /// <param name="type">The command type (<c>cmd</c>).</param>
    /// <param name="lifetime">How long it is valid.</param>
    /// <param name="now">The issue time.</param>
    /// <param name="arguments">Writes the command's arguments (overlay, geofence, reason) into the claims; null: none.</param>
    /// <param name="scope">The types the token grants (default: just <paramref name="type"/>).</param>
    /// <param name="id">The command id (default: a new UUIDv7).</param>
    /// <returns>The token and its id.</returns>
    public (string Token, string Id) Sign(string robotId, string type, TimeSpan lifetime, DateTimeOffset now, Action<Utf8JsonWriter>? arguments = null, string? scope = null, string? id = null)
    {
        id ??= Guid.CreateVersion7(now).ToString();
        using var payload = new MemoryStream();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("iss", Issuer);
            json.WriteString("aud", robotId);
            json.WriteString("jti", id);
            json.WriteNumber("iat", now.ToUnixTimeSeconds());
            json.WriteNumber("exp", (now + lifetime).ToUnixTimeSeconds());
            json.WriteString("cmd", type);
            json.WriteString("scope", scope ?? type);
            arguments?.Invoke(json);
            json.WriteEndObject();
        }

        return (_handler.CreateToken(Encoding.UTF8.GetString(payload.ToArray()), _credentials), id);
    }

    /// <inheritdoc/>
    public void Dispose() => _key.Dispose();
}
