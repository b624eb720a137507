namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Snapshot testing of generated code (Verify is not available here): compares with Snapshots/NAME.verified.cs.
/// On a difference it writes NAME.received.cs beside it and fails; run with SYMBOLICGRAD_ACCEPT_SNAPSHOTS=1 to
/// accept the received text as the new verified snapshot (then review the diff in git).
/// </summary>
public static class Approvals
{
    public const string AcceptVariable = "SYMBOLICGRAD_ACCEPT_SNAPSHOTS";

    public static void Verify(string name, string actual)
    {
        string directory = Path.Combine(RepositoryPaths.TestProject, "Snapshots");
        Directory.CreateDirectory(directory);
        string verified = Path.Combine(directory, name + ".verified.cs");
        string received = Path.Combine(directory, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verified, actual);
            File.Delete(received);
            return;
        }

        if (!File.Exists(verified))
        {
            File.WriteAllText(received, actual);
            Assert.Fail($"No verified snapshot for {name}. Review {received} and accept it with {AcceptVariable}=1.");
        }

        string expected = File.ReadAllText(verified).Replace("\r\n", "\n");
        if (expected == actual)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        int line = 0;
        while (line < e.Length && line < a.Length && e[line] == a[line])
        {
            line++;
        }

        Assert.Fail($"{name} differs from its snapshot at line {line + 1}:\n  verified: {(line < e.Length ? e[line] : "<end>")}\n  received: {(line < a.Length ? a[line] : "<end>")}\n" +
            $"Compare {received} with {verified}; accept with {AcceptVariable}=1 if the change is intended.");
    }
}
