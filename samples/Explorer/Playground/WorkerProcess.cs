using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace SymbolicGrad.Explorer.Playground;

/// <summary>
/// One worker process, seen from the server: started with the <c>worker</c> argument, a GC heap hard limit and a
/// watchdog on its working set; one job at a time over stdin/stdout lines.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private static int _counter;
    private readonly Process _process;
    private readonly TaskCompletionSource<WorkerReply> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _memoryLimitBytes;
    private readonly Timer _watchdog;
    private TaskCompletionSource<WorkerReply>? _pending;
    private long _nextId;
    private volatile string? _killReason;
    private volatile string? _phase;

    private WorkerProcess(int memoryMegabytes)
    {
        Number = Interlocked.Increment(ref _counter);
        _memoryLimitBytes = (long)memoryMegabytes * 1024 * 1024;
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(false),
        };
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The process path is unknown.");
        start.FileName = host;
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Started as `dotnet Explorer.dll`: start the worker the same way.
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add(WorkerMain.Argument);
        // The GC heap limit makes a big allocation fail fast with OutOfMemoryException (answered as such); the watchdog
        // below catches what the GC does not see. The heap limit is below the watchdog's so that the GC's answer comes first.
        long heap = _memoryLimitBytes * 3 / 4;
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + heap.ToString("x", CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_TieredPGO"] = "0";
        start.Environment[WorkerMain.ParentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        start.Environment.Remove("ASPNETCORE_URLS");
        _process = Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => Fail(ExitMessage());
        _ = Task.Run(ReadReplies);
        _ = Task.Run(DrainErrors);
        _watchdog = new Timer(_ => Watch(), null, 100, 100);
    }

    /// <summary>A number for logs and tests.</summary>
    public int Number { get; }

    /// <summary>Jobs answered.</summary>
    public int Jobs { get; private set; }

    /// <summary>False once the process has exited or been killed.</summary>
    public bool Alive => !_process.HasExited && _killReason is null;

    /// <summary>Warm-up time reported by the worker.</summary>
    public double WarmupMs { get; private set; }

    /// <summary>Starts a worker and waits until it has warmed up.</summary>
    public static async Task<WorkerProcess> StartAsync(int memoryMegabytes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var worker = new WorkerProcess(memoryMegabytes);
        try
        {
            var ready = await worker._ready.Task.WaitAsync(timeout, cancellationToken);
            worker.WarmupMs = ready.WarmupMs;
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>Runs one job. On a timeout the process is killed and a timeout result returned; on a crash, a crash result.</summary>
    /// <returns>The result, and whether the worker may be used again.</returns>
    public async Task<(PlaygroundResult Result, bool Reusable)> RunAsync(PlaygroundRequest job, TimeSpan timeout)
    {
        var pending = new TaskCompletionSource<WorkerReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _phase = null;
        _pending = pending;
        long id = ++_nextId;
        try
        {
            string line = JsonSerializer.Serialize(new WorkerCommand(id, job), Json.Options);
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            Fail(ExitMessage());
        }

        WorkerReply reply;
        try
        {
            reply = await pending.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            bool running = _phase == "run";
            Kill("timeout");
            var seconds = timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            return (new PlaygroundResult
            {
                ErrorKind = "timeout",
                Error = running
                    ? $"Stopped after {seconds} s: the code ran longer than the playground's time limit (an endless loop?). The worker was replaced; edit the code to try again."
                    : $"Stopped after {seconds} s: compiling the code (parsing, binding and the generator) took longer than the playground's time limit; " +
                      "the code did not run. Very large methods or many [Differentiable] methods take long: split them into helpers, or keep fewer. The worker was replaced.",
                Worker = Number,
            }, false);
        }
        catch (WorkerFailedException e)
        {
            bool memory = _killReason == "memory";
            return (new PlaygroundResult
            {
                ErrorKind = memory ? "memory" : "crash",
                Error = e.Message,
                Worker = Number,
            }, false);
        }
        finally
        {
            _pending = null;
        }

        Jobs++;
        var result = reply.Result ?? new PlaygroundResult { ErrorKind = "crash", Error = "The worker answered nothing." };
        return (result with { Worker = Number }, !reply.Fatal && Alive);
    }

    /// <summary>Kills the process (and anything it started).</summary>
    public void Kill(string reason)
    {
        _killReason ??= reason;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _watchdog.Dispose();
        Kill("disposed");
        _process.Dispose();
    }

    private void Watch()
    {
        try
        {
            if (_process.HasExited)
            {
                return;
            }

            _process.Refresh();
            if (_process.WorkingSet64 > _memoryLimitBytes)
            {
                Kill("memory");
                Fail(MemoryMessage());
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the checks.
        }
    }

    private string MemoryMessage() =>
        $"Stopped: the code used more than the playground's memory limit ({_memoryLimitBytes / (1024 * 1024)} MB). The worker was replaced.";

    private string ExitMessage()
    {
        if (_killReason == "memory")
        {
            return MemoryMessage();
        }

        int code = 0;
        try
        {
            code = _process.HasExited ? _process.ExitCode : 0;
        }
        catch (InvalidOperationException)
        {
        }

        return $"The worker process exited (code {code}) while running the code: a stack overflow (endless recursion?), Environment.Exit, or a crash. It was replaced.";
    }

    private void Fail(string message)
    {
        var failure = new WorkerFailedException(message);
        _ready.TrySetException(failure);
        _pending?.TrySetException(failure);
    }

    private async Task ReadReplies()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                WorkerReply? reply;
                try
                {
                    reply = JsonSerializer.Deserialize<WorkerReply>(line, Json.Options);
                }
                catch (JsonException)
                {
                    reply = null;
                }

                if (reply is null)
                {
                    Kill("protocol");
                    Fail("The worker wrote something that is not an answer (did the code write to the process's standard output?). It was replaced.");
                    return;
                }

                if (reply.Phase is { } phase)
                {
                    if (reply.Id == _nextId)
                    {
                        _phase = phase;
                    }
                }
                else if (reply.Ready)
                {
                    _ready.TrySetResult(reply);
                }
                else if (_pending is { } pending && reply.Id == _nextId)
                {
                    pending.TrySetResult(reply);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }

        Fail(ExitMessage());
    }

    private async Task DrainErrors()
    {
        try
        {
            int printed = 0;
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                // A stack overflow prints thousands of frames: the first lines say enough.
                if (line.Length > 0 && printed++ < 12)
                {
                    Console.Error.WriteLine($"[worker {Number}] {line}");
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}

/// <summary>The worker died or was killed while a job ran; the message says why.</summary>
public sealed class WorkerFailedException(string message) : Exception(message);
