using System.Globalization;
using System.Reflection;
using Xunit;

namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>
/// The whole table, compiled once per test run in a few batches (cases of one C# version together, large inputs
/// alone), two batches at a time. Known generator bugs (the skipped facts of <c>KnownGeneratorBugs</c>) are left out
/// of the shared batches, so that a crash or a stack overflow in one cannot take the others down; each runs alone
/// when its test is un-skipped.
/// </summary>
public static class AdversarialSuite
{
    /// <summary>Cases per compilation: big enough to amortize the generator and the emit, small enough to run two at a time.</summary>
    public const int BatchSize = 70;

    public static IReadOnlyList<AdversarialCase> All { get; } = AdversarialCases.All().ToList();

    public static IReadOnlyDictionary<string, AdversarialCase> ByName { get; } = All.ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>The names of the cases with a skipped test in KnownGeneratorBugs, and the skip reasons.</summary>
    public static IReadOnlyDictionary<string, string> KnownBugs { get; } = typeof(KnownGeneratorBugs)
        .GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Select(m => (m.Name, Skip: m.GetCustomAttribute<FactAttribute>()?.Skip))
        .Where(x => x.Skip is not null)
        .ToDictionary(x => x.Name, x => x.Skip!, StringComparer.Ordinal);

    private static readonly Lazy<Dictionary<string, CaseResult>> Shared = new(() => RunAll(All.Where(c => !KnownBugs.ContainsKey(c.Name))), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The timing of the shared run, for the test output.</summary>
    public static string Timing { get; private set; } = string.Empty;

    public static Dictionary<string, CaseResult> RunAll(IEnumerable<AdversarialCase> cases, int threads = 2)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var batches = new List<List<AdversarialCase>>();
        foreach (var group in cases.GroupBy(c => (c.Language, c.Heavy, c.Executable)))
        {
            var list = group.ToList();
            int size = group.Key.Heavy ? 1 : BatchSize;
            for (int i = 0; i < list.Count; i += size)
            {
                batches.Add(list.Skip(i).Take(size).ToList());
            }
        }

        // The largest batches first, so that two threads finish together.
        batches = batches.OrderByDescending(b => b.Count).ToList();
        var results = new Dictionary<string, CaseResult>[batches.Count];
        var times = new double[batches.Count];
        Parallel.For(0, batches.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            var c = System.Diagnostics.Stopwatch.StartNew();
            results[i] = AdversarialRunner.Run(batches[i]);
            times[i] = c.Elapsed.TotalSeconds;
        });
        Timing = string.Format(CultureInfo.InvariantCulture, "{0} cases in {1} batches, {2:0.0} s ({3})", batches.Sum(b => b.Count), batches.Count, clock.Elapsed.TotalSeconds,
            string.Join(", ", batches.Select((b, i) => string.Format(CultureInfo.InvariantCulture, "{0} cases {1:0.0} s", b.Count, times[i]))));
        return results.SelectMany(r => r).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }

    /// <summary>The result of one case: from the shared run, or (a known bug) compiled alone.</summary>
    public static CaseResult Result(string name)
    {
        if (!ByName.TryGetValue(name, out var c))
        {
            throw new ArgumentException("no adversarial case named " + name, nameof(name));
        }

        return KnownBugs.ContainsKey(name) ? AdversarialRunner.Run(new[] { c })[name] : Shared.Value[name];
    }

    /// <summary>Asserts that the case has its expected outcome, with everything needed to see why not.</summary>
    public static void AssertCase(string name)
    {
        var r = Result(name);
        Assert.True(r.Passed, r.Describe());
    }
}
