using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace SymbolicGrad.Explorer.Playground;

/// <summary>Limits of the playground.</summary>
/// <param name="Workers">Worker processes.</param>
/// <param name="Timeout">Wall-clock limit of one job.</param>
/// <param name="MemoryMegabytes">Memory limit of one worker.</param>
/// <param name="QueueTimeout">How long a request waits for a free worker before it is answered "busy".</param>
/// <param name="JobsPerWorker">A worker is replaced after this many jobs (a fresh process now and then).</param>
public sealed record PoolOptions(int Workers, TimeSpan Timeout, int MemoryMegabytes, TimeSpan QueueTimeout, int JobsPerWorker = 500);

/// <summary>
/// A small pool of warm worker processes. A request takes a free worker (waiting in line if all are busy), runs its
/// job there under the time limit, and gives the worker back; a worker that timed out, crashed or hit the memory
/// limit is thrown away and a new one started in the background. Answers to identical requests are cached.
/// </summary>
public sealed class WorkerPool : IAsyncDisposable
{
    private readonly PoolOptions _options;
    private readonly Channel<WorkerProcess> _free = Channel.CreateUnbounded<WorkerProcess>();
    private readonly ConcurrentDictionary<int, WorkerProcess> _all = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ResultCache _cache = new(256);
    private int _starting;
    private int _replaced;

    /// <summary>Creates the pool and starts its workers in the background.</summary>
    public WorkerPool(PoolOptions options)
    {
        _options = options;
        for (int i = 0; i < options.Workers; i++)
        {
            StartReplacement();
        }
    }

    /// <summary>Workers running now (ready or busy).</summary>
    public int Running => _all.Count;

    /// <summary>Workers replaced after a timeout, crash or memory kill.</summary>
    public int Replaced => _replaced;

    /// <summary>The workers running now: number and process id (for the status endpoint and the tests).</summary>
    public IEnumerable<(int Number, int ProcessId, int Jobs, double LastSettleMs)> Workers =>
        _all.Values.Select(w => (w.Number, w.ProcessId, w.Jobs, w.LastSettleMs));

    /// <summary>Warm-up times of the workers started so far (ms).</summary>
    public ConcurrentQueue<double> WarmupTimes { get; } = new();

    /// <summary>Waits until at least one worker is ready (for the start-up message).</summary>
    public async Task WaitForFirstAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (WarmupTimes.IsEmpty && clock.Elapsed < timeout)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>Compiles and runs <paramref name="request"/> in a worker.</summary>
    public async Task<PlaygroundResult> RunAsync(PlaygroundRequest request, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string key = ResultCache.Key(request);
        if (_cache.TryGet(key, out var cached))
        {
            return cached with { Timings = cached.Timings with { Cached = true, Queue = 0, Total = clock.Elapsed.TotalMilliseconds } };
        }

        WorkerProcess worker;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token))
        {
            wait.CancelAfter(_options.QueueTimeout);
            try
            {
                // A worker may have died or been killed while it waited (the watchdog kills an idle worker that keeps
                // a core busy); TryTake makes it ours, or says so.
                do
                {
                    worker = await _free.Reader.ReadAsync(wait.Token);
                }
                while (!worker.TryTake() && Discard(worker));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new PlaygroundResult
                {
                    ErrorKind = "busy",
                    Error = $"Every playground worker stayed busy for {_options.QueueTimeout.TotalSeconds:0} s; try again in a moment.",
                };
            }
        }

        double queued = clock.Elapsed.TotalMilliseconds;
        // A request may ask for a shorter limit than the server's (never a longer one).
        var limit = request.TimeLimitSeconds is double asked && asked > 0 && asked < _options.Timeout.TotalSeconds
            ? TimeSpan.FromSeconds(asked)
            : _options.Timeout;
        var (result, reusable) = await worker.RunAsync(request, limit);
        // The answer goes out now; the worker goes back to the pool once it has shown that nothing of this job's code
        // is left running (or is replaced).
        _ = GiveBackAsync(worker, reusable);

        result = result with { Timings = result.Timings with { Queue = queued, Total = clock.Elapsed.TotalMilliseconds } };
        if (result.ErrorKind is null or "unsupported" or "runtime" or "request")
        {
            _cache.Add(key, result);
        }

        return result;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var w in _all.Values)
        {
            w.Dispose();
        }

        _all.Clear();
    }

    private async Task GiveBackAsync(WorkerProcess worker, Task<bool> reusable)
    {
        bool ok;
        try
        {
            ok = await reusable;
        }
        catch (Exception)
        {
            ok = false;
        }

        if (ok && worker.Jobs < _options.JobsPerWorker)
        {
            _free.Writer.TryWrite(worker);
            return;
        }

        if (!ok)
        {
            Interlocked.Increment(ref _replaced);
        }

        Discard(worker);
    }

    // Idempotent: a worker that died while idle is discarded at once (and a replacement started), and again, without
    // effect, when a request takes it from the queue.
    private bool Discard(WorkerProcess worker)
    {
        if (_all.TryRemove(worker.Number, out _))
        {
            worker.Dispose();
            StartReplacement();
        }

        return true;
    }

    private void DiedWhileIdle(WorkerProcess worker)
    {
        Interlocked.Increment(ref _replaced);
        Discard(worker);
    }

    private void StartReplacement()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        Interlocked.Increment(ref _starting);
        _ = Task.Run(async () =>
        {
            try
            {
                for (int attempt = 0; ; attempt++)
                {
                    try
                    {
                        var worker = await WorkerProcess.StartAsync(_options.MemoryMegabytes, TimeSpan.FromSeconds(120), _stopping.Token);
                        WarmupTimes.Enqueue(worker.WarmupMs);
                        _all[worker.Number] = worker;
                        worker.DiedWhileIdle = DiedWhileIdle;
                        _free.Writer.TryWrite(worker);
                        return;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        Console.Error.WriteLine($"explorer: a playground worker failed to start ({e.Message}); retrying.");
                        await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, 1 << Math.Min(attempt, 5))), _stopping.Token);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                Interlocked.Decrement(ref _starting);
            }
        });
    }

    /// <summary>A small LRU cache of answers by request (the same source typed again, undo, two tabs).</summary>
    private sealed class ResultCache(int capacity)
    {
        private readonly LinkedList<(string Key, PlaygroundResult Value)> _order = new();
        private readonly Dictionary<string, LinkedListNode<(string Key, PlaygroundResult Value)>> _map = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public static string Key(PlaygroundRequest request) =>
            Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, Json.Options))));

        public bool TryGet(string key, out PlaygroundResult value)
        {
            lock (_lock)
            {
                if (_map.TryGetValue(key, out var node))
                {
                    _order.Remove(node);
                    _order.AddFirst(node);
                    value = node.Value.Value;
                    return true;
                }
            }

            value = null!;
            return false;
        }

        public void Add(string key, PlaygroundResult value)
        {
            lock (_lock)
            {
                if (_map.TryGetValue(key, out var old))
                {
                    _order.Remove(old);
                }

                _map[key] = _order.AddFirst((key, value));
                while (_map.Count > capacity)
                {
                    var last = _order.Last!;
                    _order.RemoveLast();
                    _map.Remove(last.Value.Key);
                }
            }
        }
    }
}
