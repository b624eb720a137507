using System.Globalization;
using System.Reflection;
using ScottPlot;
using Spectre.Console;

namespace SymbolicGrad.Samples;

/// <summary>
/// One run of a sample: its command line (<c>--out DIR</c>, <c>--quick</c>), its output folder, the console it reports
/// to, and the figures it wrote. Every sample's <c>Run(args, console)</c> goes through <see cref="Execute"/>.
/// </summary>
public sealed class SampleRun
{
    private readonly List<string> _files = [];

    private SampleRun(string name, string outputDirectory, bool quick, IAnsiConsole console)
    {
        Name = name;
        OutputDirectory = outputDirectory;
        Quick = quick;
        Console = console;
    }

    /// <summary>The sample's name (its project name).</summary>
    public string Name { get; }

    /// <summary>The folder the figures go to (created by <see cref="Execute"/>).</summary>
    public string OutputDirectory { get; }

    /// <summary>True with <c>--quick</c>: small budgets, for tests and CI. The story is the same, the runs shorter.</summary>
    public bool Quick { get; }

    /// <summary>Where the report goes.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Every file written so far (full paths), PNG and SVG.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>
    /// Parses <paramref name="args"/>, creates the output folder, prints the title, runs <paramref name="body"/> and
    /// lists the files it wrote. Returns the process exit code: 0, or 2 for a bad command line.
    /// </summary>
    /// <param name="name">The sample's name, used for the default output folder.</param>
    /// <param name="title">One line saying what the sample shows.</param>
    /// <param name="args">The command line.</param>
    /// <param name="console">Where to report (null: the terminal).</param>
    /// <param name="sampleAssembly">The sample's assembly; its <c>SampleProjectDirectory</c> metadata gives the default output folder.</param>
    /// <param name="body">The sample.</param>
    public static int Execute(string name, string title, string[] args, IAnsiConsole? console, Assembly sampleAssembly, Action<SampleRun> body)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(body);
        if (console is null)
        {
            console = AnsiConsole.Console;
            if (System.Console.IsOutputRedirected)
            {
                console.Profile.Width = 120; // a log file, not a terminal: room for the tables
            }
        }
        var previousCulture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            string? output = null;
            bool quick = false;
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--quick":
                        quick = true;
                        break;
                    case "--out" when i + 1 < args.Length:
                        output = args[++i];
                        break;
                    case "--out":
                        console.MarkupLine("[red]--out needs a folder.[/]");
                        return 2;
                    case "-h" or "--help":
                        console.WriteLine($"dotnet run --project samples/{name} [-- --out <dir>] [-- --quick]");
                        console.WriteLine($"  {title}");
                        console.WriteLine("  --out <dir>  where to write the figures (default: samples/" + name + "/output)");
                        console.WriteLine("  --quick      small budgets (the tests use it)");
                        return 0;
                    default:
                        console.MarkupLineInterpolated($"[red]Unknown argument '{args[i]}'.[/] Use --out <dir> and --quick.");
                        return 2;
                }
            }

            output = Path.GetFullPath(output ?? DefaultOutputDirectory(name, sampleAssembly));
            Directory.CreateDirectory(output);
            var run = new SampleRun(name, output, quick, console);
            console.Write(new Rule($"[bold]{Markup.Escape(name)}[/]: {Markup.Escape(title)}").LeftJustified());
            if (quick)
            {
                console.MarkupLine("[grey](--quick: small budgets)[/]");
            }

            body(run);
            run.ListFiles();
            return 0;
        }
        finally
        {
            CultureInfo.CurrentCulture = previousCulture;
        }
    }

    /// <summary>Picks the budget: <paramref name="full"/> normally, <paramref name="quick"/> with <c>--quick</c>.</summary>
    public int Budget(int full, int quick) => Quick ? quick : full;

    /// <summary>Writes <paramref name="plot"/> as <c>name.png</c> and <c>name.svg</c> in the output folder.</summary>
    public void Save(Plot plot, string name, int width = Figures.Width, int height = Figures.Height) =>
        Save(new Figure([plot], 1, width, height), name);

    /// <summary>Writes <paramref name="figure"/> as <c>name.png</c> and <c>name.svg</c> in the output folder.</summary>
    public void Save(Figure figure, string name)
    {
        ArgumentNullException.ThrowIfNull(figure);
        string basePath = Path.Combine(OutputDirectory, name);
        figure.SavePng(basePath + ".png");
        figure.SaveSvg(basePath + ".svg");
        _files.Add(basePath + ".png");
        _files.Add(basePath + ".svg");
    }

    /// <summary>Prints a heading for the next part of the story.</summary>
    public void Section(string heading)
    {
        Console.WriteLine();
        Console.MarkupLine($"[bold underline]{Markup.Escape(heading)}[/]");
    }

    /// <summary>Prints a line of explanation.</summary>
    public void Say(string text) => Console.WriteLine(text);

    private void ListFiles()
    {
        Console.WriteLine();
        Console.MarkupLineInterpolated($"[bold]Figures[/] ({_files.Count} files) in [link]{OutputDirectory}[/]:");
        foreach (var group in _files.GroupBy(f => Path.GetFileNameWithoutExtension(f)))
        {
            Console.WriteLine("  " + string.Join("  ", group.Select(Path.GetFileName)));
        }
    }

    private static string DefaultOutputDirectory(string name, Assembly sampleAssembly)
    {
        string? projectDirectory = sampleAssembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SampleProjectDirectory")?.Value;
        return projectDirectory is not null && Directory.Exists(projectDirectory)
            ? Path.Combine(projectDirectory, "output")
            : Path.Combine(Path.GetTempPath(), "SymbolicGrad.Samples", name);
    }
}
