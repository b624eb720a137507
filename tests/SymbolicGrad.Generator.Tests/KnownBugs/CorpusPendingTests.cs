using System.Reflection;

namespace SymbolicGrad.Generator.Tests.KnownBugs;

/// <summary>
/// The natural first drafts of tests/SymbolicGrad.Corpus.Tests/Pending (not compiled by that project, because the
/// generator refuses them today), compiled here in-process with the generator and checked against numeric gradients at
/// the points their own <c>Checks.Cases()</c> give. Each file's header names the refusals; the minimal reproductions are
/// in <see cref="KnownGeneratorBugTests"/>. A draft that compiles now is checked here as an ordinary test (the GMM and
/// bundle-adjustment drafts; the corpus project keeps their rewritten variants in Drafts/). A draft that compiles may
/// also replace its variant in Drafts/ (the LSTM did: Drafts/AdbenchLstm.cs is the natural draft now;
/// the records-and-tuples drafts moved to Drafts/RecordsAndTuples.cs).
/// </summary>
public class CorpusPendingTests
{
    private static void CompilesAndMatchesNumericGradients(string file)
    {
        string path = Path.Combine(RepositoryPaths.Root, "tests", "SymbolicGrad.Corpus.Tests", "Pending", file);
        var assembly = Expect.Compiles(File.ReadAllText(path));
        var cases = assembly.GetType("SymbolicGrad.Corpus.Pending.Checks")!.GetMethod("Cases", BindingFlags.Public | BindingFlags.Static)!;
        int count = 0;
        foreach (var (name, f, x) in (IEnumerable<(string, DifferentiableFunction, double[])>)cases.Invoke(null, null)!)
        {
            var check = GradientCheck.Check(f, x, Expect.Tight);
            Assert.True(check.Passed, name + "\n" + check);
            count++;
        }

        Assert.True(count >= 2, "each pending draft is checked at two points at least");
    }

    // Compiles unchanged now (it was refused: implicit span conversions at helper calls, LogGamma's data-only recursion).
    [Fact]
    public void AdbenchGmm() => CompilesAndMatchesNumericGradients("AdbenchGmm.cs");

    // Compiles unchanged now (it was refused: implicit Span → ReadOnlySpan conversions at helper calls).
    [Fact]
    public void AdbenchBundleAdjustment() => CompilesAndMatchesNumericGradients("AdbenchBa.cs");

    /// <summary>The pending folder and this class agree: every pending draft has a test here.</summary>
    [Fact]
    public void EveryPendingDraftHasATest()
    {
        var files = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "SymbolicGrad.Corpus.Tests", "Pending"), "*.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { "AdbenchBa.cs", "AdbenchGmm.cs" }, files);
    }
}
