using System.Text.Json;
using EdgeAgent.Protocol.Protos;

namespace EdgeAgent.Commands;

/// <summary>A command whose token verified: signed by the fleet, for this robot, fresh, permitted, not seen before.</summary>
/// <param name="Id">The command id (<c>jti</c>).</param>
/// <param name="Type">The command type (<c>cmd</c>), one of <see cref="CommandType.All"/>.</param>
/// <param name="IssuedAt">When the fleet issued it (<c>iat</c>).</param>
/// <param name="ExpiresAt">When it expires (<c>exp</c>).</param>
/// <param name="Claims">The token's claims (its arguments among them).</param>
internal sealed record FleetCommand(string Id, string Type, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, JsonElement Claims)
{
    /// <summary>Gets a string argument, or null when the claim is absent or not a string.</summary>
    /// <param name="name">The claim.</param>
    /// <returns>The value.</returns>
    public string? Text(string name) => Claims.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>The verdict on one token: a command to carry out, or the result that refuses it.</summary>
/// <param name="Command">The verified command; null when refused.</param>
/// <param name="Refusal">Why it was refused (status, id and type where they could be read); null when verified.</param>
internal readonly record struct CommandVerdict(FleetCommand? Command, CommandResult? Refusal)
{
    public static CommandVerdict Refuse(CommandResult.Types.Status status, string id, string type, string detail) =>
        new(null, new CommandResult { Status = status, CommandId = id, Type = type, Detail = detail });
}
