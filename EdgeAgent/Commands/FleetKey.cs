using System.Security.Cryptography;

namespace EdgeAgent.Commands;

/// <summary>Reads the fleet's P-256 keys from PEM, with errors that name the file and how to fix it.</summary>
internal static class FleetKey
{
    /// <summary>Imports a PEM EC key and checks it is P-256 (and private, when asked).</summary>
    /// <param name="pem">The PEM text.</param>
    /// <param name="what">The file, as the error names it (e.g. <c>commands.public_key_file '/etc/…'</c>).</param>
    /// <param name="kind">What the file must be (e.g. <c>public key</c>), as the error says it.</param>
    /// <param name="fix">How to fix a file that is not one.</param>
    /// <param name="needPrivate">Whether the key must hold its private part.</param>
    /// <returns>The key (the caller disposes it).</returns>
    /// <exception cref="InvalidOperationException">The text is not such a key.</exception>
    public static ECDsa Import(string pem, string what, string kind, string fix, bool needPrivate)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (needPrivate)
            {
                _ = key.ExportParameters(includePrivateParameters: true);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{what} is not a PEM EC {kind} ({ex.Message}). Fix: {fix}.", ex);
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException($"{what} is a {key.KeySize}-bit EC key; commands are signed with ES256. Fix: use a P-256 key (edge-agent fleet keygen).");
        }

        return key;
    }
}
