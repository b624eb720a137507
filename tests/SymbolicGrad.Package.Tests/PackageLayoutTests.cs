using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace SymbolicGrad.Package.Tests;

/// <summary>What is inside the one package, and its metadata.</summary>
[Collection(ConsumerCollection.Name)]
public sealed class PackageLayoutTests(ConsumerFixture fixture)
{
    private static readonly XDocument Props = XDocument.Load(Repository.File("src", "Directory.Build.props"));

    private static string Property(string name) => Props.Descendants(name).Single().Value;

    private string Metadata(string name) => fixture.Nuspec.Descendants().Single(e => e.Name.LocalName == name).Value;

    private XElement MetadataElement(string name) => fixture.Nuspec.Descendants().Single(e => e.Name.LocalName == name);

    [Fact]
    public void ThePackageHoldsTheLibrariesTheGeneratorTheCodeFixesTheReadmeAndTheDocs()
    {
        using ZipArchive zip = ZipFile.OpenRead(fixture.PackagePath);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        string[] expected =
        [
            "lib/net8.0/SymbolicGrad.Runtime.dll", "lib/net8.0/SymbolicGrad.Runtime.xml",
            "lib/net8.0/SymbolicGrad.Optimizers.dll", "lib/net8.0/SymbolicGrad.Optimizers.xml",
            "analyzers/dotnet/cs/SymbolicGrad.Generator.dll", "analyzers/dotnet/cs/SymbolicGrad.CodeFixes.dll",
            "README.md", "docs/diagnostics.md",
        ];
        foreach (string name in expected)
        {
            Assert.Contains(name, entries);
        }

        // Nothing else in lib/ or analyzers/ (the packing project's own empty assembly stays out).
        Assert.Equal(
            expected.Where(e => e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("analyzers/", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            entries.Where(e => e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("analyzers/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        foreach (string doc in Directory.GetFiles(Repository.File("docs"), "*.md"))
        {
            Assert.Contains("docs/" + Path.GetFileName(doc), entries);
        }
    }

    [Fact]
    public void TheMetadataComesFromTheOnePlaceItIsWritten()
    {
        Assert.Equal("SymbolicGrad", Metadata("id"));
        Assert.Equal(Property("Version"), fixture.Version);
        Assert.Equal("MIT", Metadata("license"));
        Assert.Equal("expression", MetadataElement("license").Attribute("type")?.Value);
        Assert.Equal("README.md", Metadata("readme"));
        Assert.Equal(Property("RepositoryUrl"), MetadataElement("repository").Attribute("url")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(Metadata("description")));

        // The libraries are inside; one package dependency, for net8.0: System.Numerics.Tensors (the SIMD kernels of
        // generated gradients), at the version Directory.Packages.props pins.
        XElement group = Assert.Single(MetadataElement("dependencies").Elements());
        Assert.Equal("net8.0", group.Attribute("targetFramework")?.Value);
        XElement dependency = Assert.Single(group.Elements());
        Assert.Equal("System.Numerics.Tensors", dependency.Attribute("id")?.Value);
        string pinned = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(Path.Combine(Repository.Root, "Directory.Packages.props")), "\"System.Numerics.Tensors\" Version=\"([^\"]+)\"").Groups[1].Value;
        Assert.Equal(pinned, dependency.Attribute("version")?.Value);
    }

    [Theory]
    [InlineData("analyzers/dotnet/cs/SymbolicGrad.Generator.dll", "Microsoft.CodeAnalysis")]
    [InlineData("analyzers/dotnet/cs/SymbolicGrad.CodeFixes.dll", "Microsoft.CodeAnalysis.Workspaces")]
    public void TheCompilerExtensionsLoadInTheSdksCompiler(string entry, string roslynAssembly)
    {
        // Built against Roslyn 4.14 at most: the .NET 10 SDK's compiler and current editors are newer, never older.
        using var pe = Open(entry);
        MetadataReader reader = pe.GetMetadataReader();
        Version referenced = reader.AssemblyReferences.Select(reader.GetAssemblyReference)
            .Single(r => reader.GetString(r.Name) == roslynAssembly).Version;
        Assert.True(referenced <= new Version(4, 14, 0, 0), $"{entry} references {roslynAssembly} {referenced}, newer than 4.14");
        Assert.Equal(".NETStandard,Version=v2.0", TargetFramework(reader));
    }

    [Theory]
    [InlineData("lib/net8.0/SymbolicGrad.Runtime.dll")]
    [InlineData("lib/net8.0/SymbolicGrad.Optimizers.dll")]
    [InlineData("analyzers/dotnet/cs/SymbolicGrad.Generator.dll")]
    [InlineData("analyzers/dotnet/cs/SymbolicGrad.CodeFixes.dll")]
    public void EveryAssemblyCarriesItsSymbols(string entry)
    {
        using var pe = Open(entry);
        Assert.Contains(pe.ReadDebugDirectory(), d => d.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
    }

    [Theory]
    [InlineData("lib/net8.0/SymbolicGrad.Runtime.dll")]
    [InlineData("lib/net8.0/SymbolicGrad.Optimizers.dll")]
    public void TheLibrariesAreMarkedTrimmableAndTargetNet8(string entry)
    {
        // IsTrimmable/IsAotCompatible write [assembly: AssemblyMetadata("IsTrimmable", "True")].
        using var pe = Open(entry);
        MetadataReader reader = pe.GetMetadataReader();
        Assert.Contains(Attributes(reader, "AssemblyMetadataAttribute"), args => args.SequenceEqual(["IsTrimmable", "True"]));
        Assert.Equal(".NETCoreApp,Version=v8.0", TargetFramework(reader));
    }

    private PEReader Open(string entry)
    {
        using ZipArchive zip = ZipFile.OpenRead(fixture.PackagePath);
        using Stream stream = zip.GetEntry(entry)!.Open();
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return new PEReader(copy);
    }

    private static string? TargetFramework(MetadataReader reader) =>
        Attributes(reader, "TargetFrameworkAttribute").Select(a => a[0]).SingleOrDefault();

    /// <summary>The string arguments of the assembly's attributes of one type.</summary>
    private static IEnumerable<string?[]> Attributes(MetadataReader reader, string typeName)
    {
        foreach (CustomAttributeHandle handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            CustomAttribute attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var ctor = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor);
            if (ctor.Parent.Kind != HandleKind.TypeReference || reader.GetString(reader.GetTypeReference((TypeReferenceHandle)ctor.Parent).Name) != typeName)
            {
                continue;
            }

            BlobReader blob = reader.GetBlobReader(attribute.Value);
            blob.ReadUInt16(); // prolog
            int count = typeName == "TargetFrameworkAttribute" ? 1 : 2;
            var args = new string?[count];
            for (int i = 0; i < count; i++)
            {
                args[i] = blob.ReadSerializedString();
            }

            yield return args;
        }
    }
}
