namespace SymbolicGrad.Generator.Tests;

/// <summary>
/// Locates the checkout at run time. [CallerFilePath] cannot be used for this: CI builds set
/// ContinuousIntegrationBuild, which maps source paths to "/_/" in the compiled binary.
/// </summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder holding SymbolicGrad.sln, found upwards from the test binary.</summary>
    public static string Root => RootPath.Value;

    /// <summary>This test project's source folder.</summary>
    public static string TestProject => Path.Combine(Root, "tests", "SymbolicGrad.Generator.Tests");

    private static string FindRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SymbolicGrad.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            $"SymbolicGrad.sln not found above {AppContext.BaseDirectory}: run the tests from inside the checkout.");
    }
}
