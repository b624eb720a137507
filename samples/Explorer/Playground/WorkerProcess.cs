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
    private readonly BoundedLineReader _stdout;
    private readonly BoundedLineReader _stderr;
    private readonly Task _stderrDrained;
    private readonly Lock _state = new();
    private readonly List<string> _jobErrors = [];
    private TaskCompletionSource<WorkerReply>? _pending;
    private TaskCompletionSource<WorkerReply>? _settling;
    private long _nextId;
    private volatile string? _killReason;
    private volatile string? _phase;
    private long _jobStdoutStart;
    private long _jobStderrStart;
    private int _printed;
    private int _exitHandled;

    // Idle: answered and settled, waiting in the pool. The watchdog then also watches the CPU time: an idle worker uses
    // next to none, so one that keeps a core busy is running something the job left behind, and is killed.
    private bool _idle;
    private DateTime _idleSince;
    private DateTime _cpuWindowStart;
    private TimeSpan _cpuWindowTime;

    /// <summary>The longest line the server reads from a worker's standard output (one answer), in bytes.</summary>
    public const int MaxMessageBytes = 16 << 20;

    /// <summary>The most a worker may write to its standard output during one job, in bytes.</summary>
    public const long MaxJobOutputBytes = 32 << 20;

    /// <summary>The most a worker may write to its standard error during one job, in bytes (beyond the console, which user code's writes never reach).</summary>
    public const long MaxJobErrorBytes = 16 << 20;

    /// <summary>The longest line of a worker's standard error the server keeps or prints, in bytes.</summary>
    public const int MaxErrorLineBytes = 400;

    /// <summary>Lines of a worker's standard error printed by the server per job.</summary>
    public const int PrintedErrorLines = 12;

    /// <summary>How long a worker may take, after its answer, to show that nothing of the job's code is left.</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An idle worker whose threads use more CPU than this in <see cref="IdleCpuWindow"/> is killed. On Linux the
    /// runtime's tiered-compilation thread is not counted (it recompiles hot methods in the background for a second or
    /// two after a job); elsewhere the whole process is, against four times this.
    /// </summary>
    public static readonly TimeSpan IdleCpuLimit = TimeSpan.FromMilliseconds(200);

    /// <summary>The window of <see cref="IdleCpuLimit"/>.</summary>
    public static readonly TimeSpan IdleCpuWindow = TimeSpan.FromSeconds(2);

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
        _stdout = new BoundedLineReader(_process.StandardOutput.BaseStream, MaxMessageBytes);
        _stderr = new BoundedLineReader(_process.StandardError.BaseStream, MaxErrorLineBytes);
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => _ = HandleExitAsync();
        _ = Task.Run(ReadReplies);
        _stderrDrained = Task.Run(DrainErrors);
        _watchdog = new Timer(_ => Watch(), null, 100, 100);
    }

    /// <summary>Called when the worker dies or is killed while it waits in the pool (not during a job, which reports it).</summary>
    public Action<WorkerProcess>? DiedWhileIdle { get; set; }

    /// <summary>The process id (for the status page and the tests).</summary>
    public int ProcessId => _process.Id;

    /// <summary>A number for logs and tests.</summary>
    public int Number { get; }

    /// <summary>Jobs answered.</summary>
    public int Jobs { get; private set; }

    /// <summary>False once the process has exited or been killed.</summary>
    public bool Alive
    {
        get
        {
            if (_killReason is not null)
            {
                return false;
            }

            try
            {
                return !_process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return false; // disposed
            }
        }
    }

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
            lock (worker._state)
            {
                (worker._idle, worker._idleSince, worker._cpuWindowStart) = (true, DateTime.UtcNow, default);
            }

            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Takes the worker for a job: false when it has died or been killed meanwhile (the watchdog may kill an idle worker
    /// at any moment; this and that are exclusive).
    /// </summary>
    public bool TryTake()
    {
        lock (_state)
        {
            if (!Alive)
            {
                return false;
            }

            _idle = false;
            return true;
        }
    }

    /// <summary>
    /// Runs one job (after <see cref="TryTake"/>). On a timeout the process is killed and a timeout result returned; on a
    /// crash, a crash result.
    /// </summary>
    /// <returns>The result, and a task that says, once the worker has settled after the job, whether it may be used
    /// again: false when it died, was killed, or found that the job's code left something running (then it is killed).</returns>
    public async Task<(PlaygroundResult Result, Task<bool> Reusable)> RunAsync(PlaygroundRequest job, TimeSpan timeout)
    {
        var pending = new TaskCompletionSource<WorkerReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var settling = new TaskCompletionSource<WorkerReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id;
        lock (_state)
        {
            _phase = null;
            _idle = false;
            _pending = pending;
            _settling = settling;
            _jobStdoutStart = _stdout.BytesRead;
            _jobStderrStart = _stderr.BytesRead;
            _printed = 0;
            lock (_jobErrors)
            {
                _jobErrors.Clear();
            }

            id = ++_nextId;
        }

        try
        {
            string line = JsonSerializer.Serialize(new WorkerCommand(id, job), Json.Options);
            await _process.StandardInput.WriteLineAsync(line);
            await _process.StandardInput.FlushAsync();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The process is gone: the exit handler fails the job with the reason.
            _ = HandleExitAsync();
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
            }, Task.FromResult(false));
        }
        catch (WorkerFailedException e)
        {
            return (new PlaygroundResult
            {
                ErrorKind = e.Kind,
                Error = e.Message,
                Worker = Number,
            }, Task.FromResult(false));
        }
        finally
        {
            _pending = null;
        }

        Jobs++;
        var result = reply.Result ?? new PlaygroundResult { ErrorKind = "crash", Error = "The worker answered nothing." };
        if (reply.Fatal || !Alive)
        {
            return (result with { Worker = Number }, Task.FromResult(false));
        }

        return (result with { Worker = Number }, SettleAsync(settling));
    }

    /// <summary>Waits for the worker's line saying that nothing of the job's code is left; kills it otherwise.</summary>
    private async Task<bool> SettleAsync(TaskCompletionSource<WorkerReply> settling)
    {
        string? leftover;
        try
        {
            var settled = await settling.Task.WaitAsync(SettleTimeout);
            leftover = settled.Leftover;
            LastSettleMs = settled.SettleMs;
        }
        catch (TimeoutException)
        {
            leftover = $"it did not settle within {SettleTimeout.TotalSeconds:0} s after its answer (a finalizer of the code running?)";
        }
        catch (WorkerFailedException)
        {
            return false;
        }
        finally
        {
            _settling = null;
        }

        if (leftover is not null)
        {
            Kill("leftover");
            Console.Error.WriteLine($"explorer: worker {Number} replaced: {leftover}.");
            return false;
        }

        lock (_state)
        {
            if (!Alive)
            {
                return false;
            }

            _idle = true;
            _idleSince = DateTime.UtcNow;
            _cpuWindowStart = default;
        }

        return true;
    }

    /// <summary>How long the worker's last check after a job took (ms).</summary>
    public double LastSettleMs { get; private set; }

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
        lock (_state)
        {
            _idle = false;
        }

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
                Fail(new WorkerFailedException(MemoryMessage(), "memory"));
                return;
            }

            WatchIdleCpu();
        }
        catch (InvalidOperationException)
        {
            // Exited between the checks.
        }
    }

    private void WatchIdleCpu()
    {
        bool killed = false;
        lock (_state)
        {
            var now = DateTime.UtcNow;
            if (!_idle || now - _idleSince < TimeSpan.FromMilliseconds(500))
            {
                return;
            }

            var cpu = IdleCpuTime();
            if (_cpuWindowStart == default)
            {
                (_cpuWindowStart, _cpuWindowTime) = (now, cpu);
                return;
            }

            if (now - _cpuWindowStart < IdleCpuWindow)
            {
                return;
            }

            var used = cpu - _cpuWindowTime;
            if (used > (OperatingSystem.IsLinux() ? IdleCpuLimit : IdleCpuLimit * 4))
            {
                _idle = false;
                Kill("busy");
                killed = true;
                Console.Error.WriteLine(
                    $"explorer: worker {Number} replaced: it used {used.TotalSeconds:0.00} s of CPU in {(now - _cpuWindowStart).TotalSeconds:0.0} s while idle " +
                    "(code of an earlier job still running).");
            }
            else
            {
                (_cpuWindowStart, _cpuWindowTime) = (now, cpu);
            }
        }

        if (killed)
        {
            DiedWhileIdle?.Invoke(this);
        }
    }

    /// <summary>
    /// The CPU time of the worker's threads but the runtime's tiered-compilation worker (Linux: from
    /// /proc/PID/task/TID/stat); elsewhere the process's.
    /// </summary>
    private TimeSpan IdleCpuTime()
    {
        if (!OperatingSystem.IsLinux())
        {
            return _process.TotalProcessorTime;
        }

        long ticks = 0;
        try
        {
            foreach (string task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
            {
                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(task, "stat"));
                }
                catch (IOException)
                {
                    continue; // the thread ended
                }

                // "tid (comm) state ppid …": comm may hold spaces; utime and stime are the 14th and 15th fields.
                int open = stat.IndexOf('(', StringComparison.Ordinal);
                int close = stat.LastIndexOf(')');
                if (open < 0 || close < open)
                {
                    continue;
                }

                string comm = stat[(open + 1)..close];
                if (comm.StartsWith(".NET Tiered", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = stat[(close + 2)..].Split(' ');
                if (fields.Length > 12 &&
                    long.TryParse(fields[11], NumberStyles.Integer, CultureInfo.InvariantCulture, out long user) &&
                    long.TryParse(fields[12], NumberStyles.Integer, CultureInfo.InvariantCulture, out long system))
                {
                    ticks += user + system;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return _process.TotalProcessorTime;
        }

        // USER_HZ is 100 on Linux.
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    private string MemoryMessage() =>
        $"Stopped: the code used more than the playground's memory limit ({_memoryLimitBytes / (1024 * 1024)} MB). The worker was replaced.";

    /// <summary>Once the process has exited: fail the job (if any) with what ended it, and tell the pool if it was idle.</summary>
    private async Task HandleExitAsync()
    {
        if (Interlocked.Exchange(ref _exitHandled, 1) == 1)
        {
            return;
        }

        bool wasIdle;
        lock (_state)
        {
            wasIdle = _idle;
            _idle = false;
        }

        // The exit code is known once the process has been reaped (the end of its stdout comes first), and the runtime's
        // last words (a stack overflow, an unhandled exception) once its stderr is drained.
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            await _stderrDrained.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
        }

        Fail(_killReason == "memory"
            ? new WorkerFailedException(MemoryMessage(), "memory")
            : new WorkerFailedException(ExitMessage(), "crash"));
        if (wasIdle)
        {
            DiedWhileIdle?.Invoke(this);
        }
    }

    private string ExitMessage()
    {
        int? code = null;
        try
        {
            code = _process.HasExited ? _process.ExitCode : null;
        }
        catch (InvalidOperationException)
        {
        }

        string[] errors;
        lock (_jobErrors)
        {
            errors = [.. _jobErrors];
        }

        string how = code switch
        {
            null => "",
            > 128 and < 128 + 65 => $" (exit code {code}: signal {code - 128}{SignalName(code.Value - 128)})",
            _ => $" (exit code {code})",
        };

        if (errors.Any(l => l.StartsWith("Stack overflow", StringComparison.Ordinal)))
        {
            string where = errors.FirstOrDefault(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal))?.Trim() is { } frame ? $", {frame}" : "";
            return $"A stack overflow (endless recursion?{where}) ended the worker process while it ran the code{how}. It was replaced.";
        }

        if (errors.FirstOrDefault(l => l.StartsWith("Unhandled exception.", StringComparison.Ordinal)) is { } unhandled)
        {
            string what = unhandled["Unhandled exception.".Length..].Trim();
            return $"An unhandled exception on another thread than the loss's (a thread, task or timer the code started) ended the worker process: {what}{how}. It was replaced.";
        }

        return code switch
        {
            null => "The worker process ended while running the code (a stack overflow, Environment.Exit or a crash). It was replaced.",
            > 128 and < 128 + 65 => $"The worker process was killed by signal {code - 128}{SignalName(code.Value - 128)} while running the code (exit code {code}). It was replaced.",
            _ => $"The code ended the worker process with exit code {code} (Environment.Exit({code})?) while it ran. It was replaced.",
        };
    }

    private static string SignalName(int signal) => signal switch
    {
        6 => ", SIGABRT",
        9 => ", SIGKILL",
        11 => ", SIGSEGV",
        15 => ", SIGTERM",
        _ => "",
    };

    private void Fail(WorkerFailedException failure)
    {
        _ready.TrySetException(failure);
        _pending?.TrySetException(failure);
        _settling?.TrySetException(failure);
    }

    private void Overflow(string message)
    {
        Kill("output");
        Fail(new WorkerFailedException(message, "output"));
    }

    private async Task ReadReplies()
    {
        try
        {
            while (true)
            {
                var (line, tooLong, _) = await _stdout.ReadLineAsync(truncate: false, () => _jobStdoutStart + MaxJobOutputBytes);
                if (tooLong && _stdout.BytesRead - _jobStdoutStart > MaxJobOutputBytes)
                {
                    Overflow($"Stopped: the worker wrote more than {MaxJobOutputBytes >> 20} MB to its standard output in one job (did the code write to the process's standard output?). " +
                             "The worker was replaced.");
                    return;
                }

                if (tooLong)
                {
                    Overflow($"Stopped: the worker wrote a line of more than {MaxMessageBytes >> 20} MB to its standard output (did the code write to the process's standard output?). " +
                             "The worker was replaced.");
                    return;
                }

                if (line is null)
                {
                    break;
                }

                if (line.Length == 0)
                {
                    continue;
                }

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
                    Fail(new WorkerFailedException("The worker wrote something that is not an answer (did the code write to the process's standard output?). It was replaced.", "crash"));
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
                else if (reply.Settled)
                {
                    if (reply.Id == _nextId)
                    {
                        _settling?.TrySetResult(reply);
                    }
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

        await HandleExitAsync();
    }

    private async Task DrainErrors()
    {
        try
        {
            while (true)
            {
                var (line, overLimit, dropped) = await _stderr.ReadLineAsync(truncate: true, () => _jobStderrStart + MaxJobErrorBytes);
                if (overLimit)
                {
                    // Stop it, and read on (and drop) whatever is still in the pipe.
                    if (_killReason is null)
                    {
                        Overflow($"Stopped: the worker wrote more than {MaxJobErrorBytes >> 20} MB to its standard error in one job (did the code write to Console.OpenStandardError()?). " +
                                 "The worker was replaced.");
                    }

                    continue;
                }

                if (line is null)
                {
                    break;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                string shown = dropped > 0 ? $"{line} … ({dropped} more bytes)" : line;
                lock (_jobErrors)
                {
                    // Kept for the crash message (a stack overflow, an unhandled exception): the first lines say enough.
                    if (_jobErrors.Count < 64)
                    {
                        _jobErrors.Add(shown);
                    }
                }

                // A stack overflow prints thousands of frames, and code may write anything: a few short lines per job.
                if (_printed++ < PrintedErrorLines)
                {
                    Console.Error.WriteLine($"[worker {Number}] {shown}");
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}

/// <summary>The worker died or was killed while a job ran; the message says why.</summary>
/// <param name="message">Why, for the page.</param>
/// <param name="kind">The answer's errorKind: crash, memory or output.</param>
public sealed class WorkerFailedException(string message, string kind = "crash") : Exception(message)
{
    /// <summary>The answer's errorKind.</summary>
    public string Kind { get; } = kind;
}
