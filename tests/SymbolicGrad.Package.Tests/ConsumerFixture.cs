using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace SymbolicGrad.Package.Tests;

/// <summary>
/// Packs SymbolicGrad into a temporary folder and creates, next to it, a fresh console project that references the
/// package the way the README says: a nuget.config naming that folder, then <c>dotnet add package SymbolicGrad</c>.
/// Everything is restored into a private packages folder, so a SymbolicGrad left in the machine's cache is never used.
/// </summary>
public sealed class ConsumerFixture : IDisposable
{
    private readonly Stopwatch _total = Stopwatch.StartNew();

    public ConsumerFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "symbolicgrad-package-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Feed = Path.Combine(Root, "feed");
        Packages = Path.Combine(Root, "packages");
        App = Path.Combine(Root, "app");
        Directory.CreateDirectory(Feed);
        Directory.CreateDirectory(Packages);
        Environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Packages };

        // 1. dotnet pack, into the folder that will be the package source.
        PackTime = Shell.Dotnet(Repository.Root, null,
            "pack", Repository.File("src", "Package", "SymbolicGrad.Package.csproj"), "-c", "Release", "-o", Feed, "-nodeReuse:false")
            .EnsureSuccess().Elapsed;
        string[] packages = Directory.GetFiles(Feed, "*.nupkg");
        Assert.True(packages.Length == 1, "dotnet pack must make exactly one package, made: " + string.Join(", ", packages.Select(Path.GetFileName)));
        PackagePath = packages[0];
        using (ZipArchive zip = ZipFile.OpenRead(PackagePath))
        {
            using Stream nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            Nuspec = XDocument.Load(nuspec);
        }

        Version = Nuspec.Descendants().Single(e => e.Name.LocalName == "version").Value;

        // 2. The sources this machine's dotnet already uses (the mirror, here), read before our nuget.config exists.
        string[] upstream = Shell.Dotnet(Root, Environment, "nuget", "list", "source", "--format", "short").EnsureSuccess().Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith('E'))
            .Select(line => line[1..].Trim())
            .ToArray();
        File.WriteAllText(Path.Combine(Root, "nuget.config"), NugetConfig(Feed, upstream));

        // 3. A fresh console project, as `dotnet new console` makes it, then the package.
        Shell.Dotnet(Root, Environment, "new", "console", "-o", App, "-n", "Consumer", "--framework", "net10.0", "--no-restore").EnsureSuccess();
        AddPackageTime = Shell.Dotnet(App, Environment, "add", "package", "SymbolicGrad", "--version", Version).EnsureSuccess().Elapsed;

        // 4. The user's code, and the settings the docs recommend (see the generated code; publish natively).
        string project = Path.Combine(App, "Consumer.csproj");
        string csproj = File.ReadAllText(project).Replace("</PropertyGroup>", """
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <PublishAot>true</PublishAot>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
            """.TrimStart(), StringComparison.Ordinal);
        File.WriteAllText(project, csproj);
        File.WriteAllText(Path.Combine(App, "Losses.cs"), ConsumerSource.Losses);
        File.WriteAllText(Path.Combine(App, "Program.cs"), ConsumerSource.Program);
    }

    /// <summary>The temporary folder holding everything below.</summary>
    public string Root { get; }

    /// <summary>The local package source (dotnet pack's output).</summary>
    public string Feed { get; }

    /// <summary>The private NUGET_PACKAGES folder of the consumer's restores.</summary>
    public string Packages { get; }

    /// <summary>The consumer project's folder.</summary>
    public string App { get; }

    public string PackagePath { get; }

    public XDocument Nuspec { get; }

    public string Version { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public TimeSpan PackTime { get; }

    public TimeSpan AddPackageTime { get; }

    /// <summary>
    /// The package folder first for SymbolicGrad (source mapping: no other source is ever asked for it), the machine's
    /// sources for everything else (the ILCompiler packages of NativeAOT).
    /// </summary>
    internal static string NugetConfig(string feed, IReadOnlyList<string> upstream)
    {
        var sources = new XElement("packageSources", new XElement("clear"), new XElement("add", new XAttribute("key", "local"), new XAttribute("value", feed)));
        var mapping = new XElement("packageSourceMapping",
            new XElement("packageSource", new XAttribute("key", "local"), new XElement("package", new XAttribute("pattern", "SymbolicGrad"))));
        for (int i = 0; i < upstream.Count; i++)
        {
            sources.Add(new XElement("add", new XAttribute("key", "upstream" + i), new XAttribute("value", upstream[i])));
            mapping.Add(new XElement("packageSource", new XAttribute("key", "upstream" + i), new XElement("package", new XAttribute("pattern", "*"))));
        }

        return new XDocument(new XElement("configuration", sources, mapping)).ToString().ReplaceLineEndings("\n") + "\n";
    }

    public void Dispose()
    {
        Console.WriteLine($"package tests: {_total.Elapsed.TotalSeconds:F0} s in all (pack {PackTime.TotalSeconds:F0} s, add package {AddPackageTime.TotalSeconds:F0} s)");
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file for a moment; the folder is in the temp directory.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ConsumerCollection : ICollectionFixture<ConsumerFixture>
{
    public const string Name = "consumer";
}
