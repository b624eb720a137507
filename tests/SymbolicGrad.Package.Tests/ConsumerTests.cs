using System.Globalization;
using System.Reflection.Metadata;
using System.Runtime.InteropServices;

namespace SymbolicGrad.Package.Tests;

/// <summary>
/// The package as a user meets it: a console project adds it, builds (the generator runs in the SDK's compiler), runs,
/// and publishes with NativeAOT; the printed gradients are compared with closed forms computed here.
/// </summary>
[Collection(ConsumerCollection.Name)]
public sealed class ConsumerTests(ConsumerFixture fixture)
{
    [Fact]
    public void TheConsumerRestoresThePackedPackageFromItsPrivateFolder()
    {
        string restored = Path.Combine(fixture.Packages, "symbolicgrad", fixture.Version);
        Assert.True(File.Exists(Path.Combine(restored, "symbolicgrad." + fixture.Version + ".nupkg")), "SymbolicGrad was not restored into " + restored);
        Assert.Equal(File.ReadAllBytes(fixture.PackagePath), File.ReadAllBytes(Path.Combine(restored, "symbolicgrad." + fixture.Version + ".nupkg")));
        string csproj = File.ReadAllText(Path.Combine(fixture.App, "Consumer.csproj"));
        Assert.Contains($"<PackageReference Include=\"SymbolicGrad\" Version=\"{fixture.Version}\" />", csproj, StringComparison.Ordinal);
    }

    [Fact]
    public void TheConsumerBuildsWithoutWarningsRunsAndPrintsExactGradients()
    {
        ProcessResult build = Shell.Dotnet(fixture.App, fixture.Environment, "build", "-c", "Release", "-nodeReuse:false").EnsureSuccess();
        Assert.Contains("0 Warning(s)", build.Output, StringComparison.Ordinal);

        // The generated code is where the docs say (EmitCompilerGeneratedFiles).
        string generated = Path.Combine(fixture.App, "obj", "Release", "net10.0", "generated", "SymbolicGrad.Generator");
        Assert.True(Directory.Exists(generated), "no generated files under " + generated);
        Assert.Contains(Directory.GetFiles(generated, "*.cs", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("RosenbrockGradient", StringComparison.Ordinal));

        // The generated sources are embedded in the consumer's PDB: the debugger can step into them (docs/editor.md).
        using (var pdb = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(Path.Combine(fixture.App, "bin", "Release", "net10.0", "Consumer.pdb"))))
        {
            MetadataReader reader = pdb.GetMetadataReader();
            var embedded = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation)
                .Where(c => c.Parent.Kind == HandleKind.Document && reader.GetGuid(c.Kind) == EmbeddedSource)
                .Select(c => reader.GetString(reader.GetDocument((DocumentHandle)c.Parent).Name))
                .ToList();
            Assert.Contains(embedded, name => name.Contains("SymbolicGrad.Generator", StringComparison.Ordinal));
        }

        ProcessResult run = Shell.Run("dotnet", [Path.Combine(fixture.App, "bin", "Release", "net10.0", "Consumer.dll")], fixture.App).EnsureSuccess();
        AssertOutput(run.Output);
    }

    /// <summary>The portable PDB's custom debug information kind for an embedded source file.</summary>
    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    [Fact]
    public void TheConsumerPublishesWithNativeAotAndTheNativeBinaryPrintsTheSameGradients()
    {
        Assert.True(RuntimeInformation.IsOSPlatform(OSPlatform.Linux), "the NativeAOT test runs on Linux (CI's platform)");
        Assert.True(Shell.Run("sh", ["-c", "command -v clang"], fixture.Root).ExitCode == 0,
            "NativeAOT needs clang and zlib1g-dev: apt-get install -y clang zlib1g-dev (the build of this project runs eng/install-prerequisites.sh native, which does this as root or with passwordless sudo)");

        ProcessResult publish = Shell.Dotnet(fixture.App, fixture.Environment, "publish", "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier, "-o", Path.Combine(fixture.Root, "native"), "-nodeReuse:false")
            .EnsureSuccess();
        // No trimming or AOT warning from the package (TreatWarningsAsErrors would have failed the publish too).
        Assert.DoesNotContain("warning IL", publish.Output, StringComparison.Ordinal);

        string binary = Path.Combine(fixture.Root, "native", "Consumer");
        Assert.True(File.Exists(binary), "no native binary at " + binary);
        Assert.False(File.Exists(Path.Combine(fixture.Root, "native", "SymbolicGrad.Runtime.dll")), "a native publish should not ship IL assemblies");
        ProcessResult run = Shell.Run(binary, [], fixture.Root).EnsureSuccess();
        AssertOutput(run.Output);
        Console.WriteLine($"NativeAOT publish: {publish.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>Checks the printed values against closed forms (not against the program's own earlier output).</summary>
    private static void AssertOutput(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' '))
            .ToDictionary(parts => parts[0], parts => parts[1..]);

        // Rosenbrock f(a, b) = (1 − a)² + 100 (b − a²)² at (0.3, −1.2).
        double a = 0.3, b = -1.2;
        double[] rosenbrock = Numbers(lines["rosenbrock"]);
        AssertClose((1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a), rosenbrock[0]);
        AssertClose(-2 * (1 - a) - 400 * a * (b - a * a), rosenbrock[1]);
        AssertClose(200 * (b - a * a), rosenbrock[2]);

        // p(c, x) = Σ cᵢ xⁱ: ∂p/∂cᵢ = xⁱ, ∂p/∂x = Σ i cᵢ xⁱ⁻¹.
        double[] c = [1.5, -2.0, 0.25, 3.0];
        double x = 0.7;
        double[] extensions = Numbers(lines["extensions"]);
        Assert.Equal(3, extensions.Length);
        AssertClose(0.7 * 0.7 + 1.3 * 1.3 * 1.3, extensions[0]);
        AssertClose(2 * 0.7, extensions[1]);
        AssertClose(3 * 1.3 * 1.3, extensions[2]);
        // (x + 2y)(y + 2x) and its gradient (y + 2x + 2(x + 2y), 2(y + 2x) + x + 2y) at (0.7, 1.3).
        double[] compound = Numbers(lines["compound"]);
        Assert.Equal(3, compound.Length);
        AssertClose((0.7 + 2 * 1.3) * (1.3 + 2 * 0.7), compound[0]);
        AssertClose((1.3 + 2 * 0.7) + 2 * (0.7 + 2 * 1.3), compound[1]);
        AssertClose(2 * (1.3 + 2 * 0.7) + (0.7 + 2 * 1.3), compound[2]);

        double[] polynomial = Numbers(lines["polynomial"]);
        Assert.Equal(1 + c.Length + 1, polynomial.Length);
        AssertClose(c.Select((ci, i) => ci * Math.Pow(x, i)).Sum(), polynomial[0]);
        for (int i = 0; i < c.Length; i++)
        {
            AssertClose(Math.Pow(x, i), polynomial[1 + i]);
        }

        AssertClose(c.Select((ci, i) => i * ci * Math.Pow(x, i - 1)).Sum(), polynomial[^1]);

        Assert.Equal("True", lines["check"][0]);

        // The minimum of Rosenbrock's function is f(1, 1) = 0.
        double[] minimum = Numbers(lines["minimum"][..3]);
        Assert.InRange(minimum[0], 1 - 1e-6, 1 + 1e-6);
        Assert.InRange(minimum[1], 1 - 1e-6, 1 + 1e-6);
        Assert.InRange(minimum[2], 0, 1e-12);
        Assert.Equal("True", lines["minimum"][3]);
    }

    private static double[] Numbers(string[] words) => words.Select(w => double.Parse(w, CultureInfo.InvariantCulture)).ToArray();

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-13 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");
}
