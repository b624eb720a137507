using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SymbolicGrad.Benchmarks.Problems;

namespace SymbolicGrad.Benchmarks.Torch;

/// <summary>One problem at one size for the PyTorch contender: its export, the point, and the hand-written reference.</summary>
public sealed record TorchCase(string Problem, string Size, TorchExport Export, double[] Point, double Value, double[] HandGradient)
{
    public static TorchCase Of<TProblem>(string name, string size)
        where TProblem : struct, IProblem<TProblem>
    {
        var problem = TProblem.Create(size);
        double[] point = problem.Point.ToArray();
        var hand = new double[point.Length];
        problem.Hand(point, hand);
        return new TorchCase(name, size, problem.Torch(), point, problem.Value(point), hand);
    }
}

/// <summary>What the script says about the PyTorch it runs.</summary>
public sealed record TorchInfo(string Torch, string Package, int Threads, int InteropThreads, string Numpy, string Python, string Blas, string CpuCapability)
{
    /// <summary>For the report: "PyTorch 1.13.0a0 (python3-torch 1.13.1+dfsg-4), 1 thread, libopenblasp-r0.3.21.so".</summary>
    public override string ToString() =>
        $"PyTorch {Torch}{(Package.Length > 0 ? $" ({Package})" : "")}, {Threads} thread{(Threads == 1 ? "" : "s")}, BLAS {Blas}, " +
        $"CPU capability {CpuCapability}, Python {Python}, NumPy {Numpy}";
}

/// <summary>PyTorch's value and gradient of one case, or why there is none.</summary>
public sealed record TorchEvaluation(double Value, double[] Gradient);

/// <summary>
/// Drives <c>Torch/torch_bench.py</c> with Debian's python3-torch: writes the cases' data into a temporary folder
/// (raw float64/int32, the very arrays the C# contenders read), runs the script, reads its JSON. The Python found is
/// <c>$SYMBOLICGRAD_PYTHON</c>, else <c>/usr/bin/python3</c> (where Debian's python3-torch installs), else
/// <c>python3</c> on the PATH.
/// </summary>
public sealed class TorchRunner : IDisposable
{
    /// <summary>The command that installs what the contender needs, as the docs give it.</summary>
    public const string InstallCommand = "apt-get update && apt-get install -y --no-install-recommends python3-torch libopenblas0";

    private readonly string _python;
    private readonly string _script;
    private readonly string _folder;
    private readonly List<TorchCase> _cases = [];

    private TorchRunner(string python, string script, TorchInfo info)
    {
        _python = python;
        _script = script;
        Info = info;
        _folder = Directory.CreateTempSubdirectory("symbolicgrad-torch-").FullName;
    }

    public TorchInfo Info { get; }

    /// <summary>Finds Python with torch; null (and the reason in <paramref name="whyNot"/>) when there is none.</summary>
    public static TorchRunner? TryCreate(out string whyNot)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Torch", "torch_bench.py");
        if (!File.Exists(script))
        {
            whyNot = $"{script} is missing from the build output";
            return null;
        }

        string python = Environment.GetEnvironmentVariable("SYMBOLICGRAD_PYTHON") is { Length: > 0 } configured ? configured
            : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var (exit, stdout, stderr) = Run(python, [script, "probe"], TimeSpan.FromMinutes(2), echoStderr: false);
        if (exit != 0)
        {
            string last = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? $"exit code {exit}";
            whyNot = $"{python} cannot import torch ({last.Trim()})";
            return null;
        }

        var json = JsonNode.Parse(stdout)!;
        var info = new TorchInfo(
            (string)json["torch"]!, (string?)json["package"] ?? "", (int)json["threads"]!, (int)json["interopThreads"]!,
            (string)json["numpy"]!, (string)json["python"]!, (string)json["blas"]!, (string?)json["cpuCapability"] ?? "");
        whyNot = "";
        return new TorchRunner(python, script, info);
    }

    /// <summary>Adds a case (its data are written to the folder when a run first needs them); returns its id.</summary>
    public int Add(TorchCase c)
    {
        _cases.Add(c);
        return _cases.Count - 1;
    }

    public TorchCase this[int id] => _cases[id];

    /// <summary>PyTorch's value and gradient of the given cases (all by default), or the error the script reported.</summary>
    public IReadOnlyDictionary<int, (TorchEvaluation? Result, string? Error)> Evaluate(IEnumerable<int>? ids = null)
    {
        var results = RunScript("evaluate", ids ?? Enumerable.Range(0, _cases.Count), minRunTime: 0);
        var output = new Dictionary<int, (TorchEvaluation?, string?)>();
        foreach (var (id, node) in results)
        {
            if (node["error"] is { } error)
            {
                output[id] = (null, (string)error!);
                continue;
            }

            double[] gradient = ReadDoubles(Path.Combine(_folder, (string)node["gradient"]!));
            output[id] = (new TorchEvaluation((double)node["value"]!, gradient), null);
        }

        return output;
    }

    /// <summary>The median seconds per call of each case, timed by the script, or the error it reported.</summary>
    public IReadOnlyDictionary<int, (double? Seconds, string? Error)> Time(IEnumerable<int> ids, double minRunTimeSeconds)
    {
        var results = RunScript("time", ids, minRunTimeSeconds);
        return results.ToDictionary(r => r.Id, r => r.Node["error"] is { } e ? ((double?)null, (string?)(string)e!) : ((double)r.Node["seconds"]!, null));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private List<(int Id, JsonNode Node)> RunScript(string mode, IEnumerable<int> ids, double minRunTime)
    {
        var idList = ids.ToList();
        var cases = new JsonArray();
        foreach (int id in idList)
        {
            cases.Add(WriteCase(id));
        }

        var manifest = new JsonObject { ["minRunTime"] = minRunTime, ["cases"] = cases };
        string manifestPath = Path.Combine(_folder, mode + ".json");
        string outputPath = Path.Combine(_folder, mode + ".out.json");
        File.WriteAllText(manifestPath, manifest.ToJsonString(), new UTF8Encoding(false));
        File.Delete(outputPath);
        var (exit, _, stderr) = Run(_python, [_script, mode, manifestPath, outputPath], TimeSpan.FromHours(1), echoStderr: mode == "time");
        if (exit != 0 || !File.Exists(outputPath))
        {
            throw new InvalidOperationException($"torch_bench.py {mode} failed (exit code {exit}): {stderr.Trim()}");
        }

        var output = JsonNode.Parse(File.ReadAllText(outputPath))!;
        return output["cases"]!.AsArray().Select(n => ((int)n!["id"]!, n!)).ToList();
    }

    private readonly HashSet<int> _written = [];

    private JsonObject WriteCase(int id)
    {
        var c = _cases[id];
        string prefix = id.ToString(CultureInfo.InvariantCulture);
        if (_written.Add(id))
        {
            WriteDoubles(Path.Combine(_folder, prefix + "_point.f64"), c.Point);
            foreach (var (name, array) in c.Export.Data ?? new Dictionary<string, TorchArray>())
            {
                if (array.Doubles is { } doubles)
                {
                    WriteDoubles(Path.Combine(_folder, $"{prefix}_{name}.f64"), doubles);
                }
                else
                {
                    WriteInts(Path.Combine(_folder, $"{prefix}_{name}.i32"), array.Integers!);
                }
            }
        }

        var parameters = new JsonArray();
        foreach (var p in c.Export.Parameters)
        {
            parameters.Add(new JsonObject { ["name"] = p.Name, ["shape"] = new JsonArray(p.Shape.Select(s => (JsonNode)s).ToArray()) });
        }

        var data = new JsonObject();
        foreach (var (name, array) in c.Export.Data ?? new Dictionary<string, TorchArray>())
        {
            bool isDouble = array.Doubles is not null;
            data[name] = new JsonObject
            {
                ["file"] = $"{prefix}_{name}.{(isDouble ? "f64" : "i32")}",
                ["dtype"] = isDouble ? "float64" : "int32",
                ["shape"] = new JsonArray(array.Shape.Select(s => (JsonNode)s).ToArray()),
            };
        }

        var scalars = new JsonObject();
        foreach (var (name, value) in c.Export.Scalars ?? new Dictionary<string, double>())
        {
            scalars[name] = value;
        }

        return new JsonObject
        {
            ["id"] = id, ["problem"] = c.Problem, ["size"] = c.Size, ["model"] = c.Export.Model, ["point"] = prefix + "_point.f64",
            ["parameters"] = parameters, ["data"] = data, ["scalars"] = scalars,
        };
    }

    private static void WriteDoubles(string path, double[] values)
    {
        // little-endian raw float64, as numpy.fromfile(dtype="<f8") reads it (x64 and arm64 are little-endian)
        File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    private static void WriteInts(string path, int[] values) =>
        File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static double[] ReadDoubles(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes).ToArray();
    }

    private static (int Exit, string Stdout, string Stderr) Run(string file, IEnumerable<string> arguments, TimeSpan timeout, bool echoStderr)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["PYTHONIOENCODING"] = "utf-8";
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", $"{file}: {e.Message}");
        }

        using (process)
        {
            var stderr = new StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }

                if (echoStderr)
                {
                    Console.WriteLine(e.Data);
                }
            };
            process.BeginErrorReadLine();
            string stdout = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, stdout, $"timed out after {timeout}");
            }

            process.WaitForExit();
            lock (stderr)
            {
                return (process.ExitCode, stdout, stderr.ToString());
            }
        }
    }
}
