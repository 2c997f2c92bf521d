using System.Security.Cryptography;
using System.Text.Json;
using EdgeAgent.Protocol.Protos;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Status = EdgeAgent.Protocol.Protos.CommandResult.Types.Status;

namespace EdgeAgent.Commands;

/// <summary>
/// Checks a fleet command's token on the robot, whatever the link or the backend let through: the ES256
/// signature against the configured fleet key (Microsoft.IdentityModel.JsonWebTokens; no other algorithm, no
/// unsigned token), then here, each with its own reason: issuer, audience (this robot), id, issue and expiry
/// time (lifetime at most <c>commands.max_lifetime</c>, within <c>commands.clock_skew</c>), the type in the
/// token's scope and in the robot's own <c>commands.allow</c>, and the id not seen before. Ids are remembered
/// until their command expires (plus the skew), so the replay window is bounded by the longest lifetime.
/// </summary>
internal sealed class CommandVerifier
{
    /// <summary>The most command ids remembered at once (a fleet sending faster than this within one lifetime is refused).</summary>
    public const int MaxRemembered = 100_000;

    private const int MaxTokenChars = 64 * 1024;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;
    private readonly CommandOptions _options;
    private readonly string _robotId;
    private readonly HashSet<string> _allowed;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _forget = new();
    private readonly Lock _gate = new();

    /// <summary>Initializes a new instance of the <see cref="CommandVerifier"/> class.</summary>
    /// <param name="options">The robot's command policy.</param>
    /// <param name="robotId">This robot's id: the audience every command must name.</param>
    /// <param name="fleetKey">The fleet's public key.</param>
    /// <param name="time">The clock of expiry and replay.</param>
    public CommandVerifier(CommandOptions options, string robotId, ECDsa fleetKey, TimeProvider time)
    {
        _options = options;
        _robotId = robotId;
        _allowed = new HashSet<string>(options.Allow, StringComparer.Ordinal);
        _time = time;
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = new ECDsaSecurityKey(fleetKey),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = true, // the one configured key; tokens carry no kid

            // Checked below, each with its own reason and on this class's clock.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
        };
    }

    /// <summary>Reads the fleet's public key (PEM, EC P-256).</summary>
    /// <param name="path">The file (<c>commands.public_key_file</c>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="InvalidOperationException">The file is missing, not a PEM public key, or not P-256; the message says how to fix it.</exception>
    public static ECDsa LoadPublicKey(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"commands.public_key_file '{path}' cannot be read ({ex.Message}). Fix: give the path of the fleet's public key (edge-agent fleet keygen writes one), or clear public_key_file.", ex);
        }

        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"commands.public_key_file '{path}' holds a private key. Fix: give the robot only the fleet's public key (the .pub file edge-agent fleet keygen writes); keep the private key on the fleet side.");
        }

        return FleetKey.Import(pem, $"commands.public_key_file '{path}'", "public key", "give the '-----BEGIN PUBLIC KEY-----' file of the fleet's P-256 key (fleet.pub)", needPrivate: false);
    }

    /// <summary>Checks one token.</summary>
    /// <param name="token">The compact JWS the fleet sent.</param>
    /// <returns>The verified command, or the result that refuses it (with the reason).</returns>
    public async Task<CommandVerdict> VerifyAsync(string token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenChars)
        {
            return CommandVerdict.Refuse(Status.Rejected, string.Empty, string.Empty, $"the command carries no token, or one over {MaxTokenChars} characters: commands must be ES256-signed tokens");
        }

        TokenValidationResult result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            // Not signed by the fleet: nothing in it is trusted, not even its id (it is not remembered).
            return CommandVerdict.Refuse(Status.Rejected, string.Empty, string.Empty, "the signature does not verify against the fleet key (commands.public_key_file): " + Reason(result.Exception));
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        JsonElement claims;
        try
        {
            using JsonDocument payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
            claims = payload.RootElement.Clone();
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return CommandVerdict.Refuse(Status.Rejected, string.Empty, string.Empty, "the token's payload is not a JSON object: " + ex.Message);
        }

        if (claims.ValueKind != JsonValueKind.Object)
        {
            return CommandVerdict.Refuse(Status.Rejected, string.Empty, string.Empty, "the token's payload is not a JSON object");
        }

        string id = Text(claims, "jti") ?? string.Empty;
        string type = Text(claims, "cmd") ?? string.Empty;
        if (id.Length is 0 or > 128 || id.Any(c => c is < '!' or > '~'))
        {
            return CommandVerdict.Refuse(Status.Rejected, string.Empty, type, "the command has no id: jti must be 1-128 printable ASCII characters");
        }

        if (Text(claims, "iss") != _options.Issuer)
        {
            return CommandVerdict.Refuse(Status.Rejected, id, type, $"the issuer is '{Text(claims, "iss")}', not '{_options.Issuer}' (commands.issuer)");
        }

        if (!NamesRobot(claims))
        {
            return CommandVerdict.Refuse(Status.Rejected, id, type, $"the command is addressed to another robot (aud is not '{_robotId}')");
        }

        if (!CommandType.IsKnown(type))
        {
            return CommandVerdict.Refuse(Status.Rejected, id, type, $"'{type}' is not a command type (cmd must be one of: {string.Join(", ", CommandType.All)})");
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (Seconds(claims, "iat") is not { } iat || Seconds(claims, "exp") is not { } exp)
        {
            return CommandVerdict.Refuse(Status.Rejected, id, type, "the command has no issue time (iat) or expiry (exp): both are required");
        }

        if (exp - iat > _options.MaxLifetime || exp <= iat)
        {
            return CommandVerdict.Refuse(Status.Rejected, id, type, $"the command is valid for {(exp - iat).TotalSeconds:0} s; this robot accepts at most {_options.MaxLifetime.TotalSeconds:0} s (commands.max_lifetime)");
        }

        if (now > exp + _options.ClockSkew)
        {
            return CommandVerdict.Refuse(Status.Expired, id, type, $"the command expired at {exp:O} (now {now:O})");
        }

        if (iat > now + _options.ClockSkew)
        {
            return CommandVerdict.Refuse(Status.Expired, id, type, $"the command is issued in the future ({iat:O}, now {now:O}): check the fleet's and the robot's clocks");
        }

        if (!Remember(id, exp + _options.ClockSkew, now, out string? replay))
        {
            return CommandVerdict.Refuse(Status.Rejected, id, type, replay);
        }

        if (!InScope(claims, type))
        {
            return CommandVerdict.Refuse(Status.NotPermitted, id, type, $"Permission denied: the fleet's token does not grant '{type}' (scope)");
        }

        if (!_allowed.Contains(type))
        {
            return CommandVerdict.Refuse(Status.NotPermitted, id, type, $"Permission denied: this robot does not accept '{type}' from the fleet (commands.allow: {string.Join(", ", _options.Allow)})");
        }

        return new CommandVerdict(new FleetCommand(id, type, iat, exp, claims), null);
    }

    private static string? Text(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Seconds(JsonElement claims, string name) =>
        claims.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long seconds) && seconds is > 0 and < 253402300799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static string Reason(Exception? exception) => exception switch
    {
        null => "invalid token",
        SecurityTokenInvalidAlgorithmException => "the algorithm is not ES256",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "wrong signature (not signed with the fleet's key)",
        SecurityTokenMalformedException or ArgumentException => "not a signed token (compact JWS: header.payload.signature)",
        _ => exception.GetType().Name,
    };

    private static bool InScope(JsonElement claims, string type)
    {
        if (!claims.TryGetProperty("scope", out JsonElement scope))
        {
            return false;
        }

        return scope.ValueKind switch
        {
            JsonValueKind.String => scope.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(type, StringComparer.Ordinal),
            JsonValueKind.Array => scope.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.String && s.GetString() == type),
            _ => false,
        };
    }

    private bool NamesRobot(JsonElement claims)
    {
        if (!claims.TryGetProperty("aud", out JsonElement aud))
        {
            return false;
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => aud.GetString() == _robotId,
            JsonValueKind.Array => aud.EnumerateArray().Any(a => a.ValueKind == JsonValueKind.String && a.GetString() == _robotId),
            _ => false,
        };
    }

    private bool Remember(string id, DateTimeOffset until, DateTimeOffset now, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? refusal)
    {
        lock (_gate)
        {
            while (_forget.TryPeek(out string? oldest, out DateTimeOffset expiry) && expiry < now)
            {
                _forget.Dequeue();
                _seen.Remove(oldest);
            }

            if (_seen.ContainsKey(id))
            {
                refusal = $"replayed: command {id} was received before";
                return false;
            }

            if (_seen.Count >= MaxRemembered)
            {
                refusal = $"more than {MaxRemembered} commands within one command lifetime: refused until older ones expire";
                return false;
            }

            _seen.Add(id, until);
            _forget.Enqueue(id, until);
            refusal = null;
            return true;
        }
    }
}
