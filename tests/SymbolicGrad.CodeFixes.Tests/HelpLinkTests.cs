using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace SymbolicGrad.CodeFixes.Tests;

/// <summary>
/// Every SG diagnostic links to its own section of docs/diagnostics.md in the repository named in the package's
/// metadata (src/Directory.Build.props), and every code fix is for a diagnostic that exists and is documented.
/// </summary>
public sealed partial class HelpLinkTests
{
    private static readonly string Root = FindRoot();

    /// <summary>Every descriptor of the generator, wherever the generator keeps it (read by reflection).</summary>
    private static readonly DiagnosticDescriptor[] Descriptors = Assembly.Load("SymbolicGrad.Generator").GetTypes()
        .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .DistinctBy(d => d.Id)
        .ToArray();

    private static readonly CodeFixProvider[] Providers =
        [new MakePartialCodeFixProvider(), new AddNoDerivativeCodeFixProvider(), new RenameCodeFixProvider(), new MarkDifferentiableCodeFixProvider()];

    [Fact]
    public void EveryHelpLinkPointsAtItsOwnSectionOfTheDiagnosticsPageInThePackagesRepository()
    {
        string repository = XDocument.Load(Path.Combine(Root, "src", "Directory.Build.props")).Descendants("RepositoryUrl").Single().Value;
        string page = repository + "/blob/main/docs/diagnostics.md";
        HashSet<string> anchors = Anchors(File.ReadAllText(Path.Combine(Root, "docs", "diagnostics.md")));

        Assert.True(Descriptors.Length >= 10, $"found only {Descriptors.Length} descriptors in the generator");
        foreach (DiagnosticDescriptor d in Descriptors)
        {
            Assert.StartsWith("SG", d.Id, StringComparison.Ordinal);
            Assert.True(Uri.TryCreate(d.HelpLinkUri, UriKind.Absolute, out Uri? uri), $"{d.Id}: '{d.HelpLinkUri}' is not an absolute URL");
            Assert.Equal(page, d.HelpLinkUri[..d.HelpLinkUri.IndexOf('#', StringComparison.Ordinal)]);
            string anchor = uri.Fragment.TrimStart('#');
            Assert.Equal(d.Id.ToLowerInvariant(), anchor);
            Assert.True(anchors.Contains(anchor), $"{d.Id}: docs/diagnostics.md has no heading whose anchor is '{anchor}'");
        }
    }

    [Fact]
    public void EveryCodeFixIsForADocumentedDiagnostic()
    {
        HashSet<string> ids = Descriptors.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        HashSet<string> anchors = Anchors(File.ReadAllText(Path.Combine(Root, "docs", "diagnostics.md")));
        foreach (string id in Providers.SelectMany(p => p.FixableDiagnosticIds))
        {
            Assert.True(ids.Contains(id), $"a code fix handles {id}, which the generator does not report");
            Assert.Contains(id.ToLowerInvariant(), anchors);
        }

        string editor = File.ReadAllText(Path.Combine(Root, "docs", "editor.md"));
        foreach (string id in Providers.SelectMany(p => p.FixableDiagnosticIds))
        {
            Assert.Contains(id, editor, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnchorsAreTheOnesGitHubMakesOfTheHeadings()
    {
        // The slug rule of GitHub's Markdown (lower case, punctuation dropped, spaces to hyphens), checked on examples.
        Assert.Equal(["sg0001", "sg0030-proposed", "what-the-fix-does"], Anchors("## SG0001\ntext\n### What the fix does\n## SG0030 (proposed)\n").Order());
    }

    /// <summary>The anchors GitHub gives the headings of a Markdown page.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        markdown.Split('\n')
            .Where(line => line.StartsWith('#'))
            .Select(line => Slug(line.TrimStart('#').Trim()))
            .ToHashSet(StringComparer.Ordinal);

    private static string Slug(string heading) => NotSlug().Replace(heading.ToLowerInvariant(), string.Empty).Replace(' ', '-');

    [GeneratedRegex(@"[^\p{L}\p{N}\- _]")]
    private static partial Regex NotSlug();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SymbolicGrad.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SymbolicGrad.sln not found above " + AppContext.BaseDirectory);
    }
}
