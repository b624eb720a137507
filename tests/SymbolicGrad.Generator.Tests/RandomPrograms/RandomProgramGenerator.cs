using System.Globalization;
using System.Text;

namespace SymbolicGrad.Generator.Tests.RandomPrograms;

// Design (issue #3, random-program differential testing)
// -------------------------------------------------------
// RandomProgramGenerator writes a *batch*: one compilation unit holding many random [Differentiable] static methods
// (M0, M1, ...) of one partial class. Method i may call methods j < i of the same batch, so the call graph has no
// cycles; a method's "level" (1 + the deepest callee) is capped to keep values and compile time moderate.
//
// Everything is a pure function of the batch seed (System.Random with a seed is deterministic), so a failure is
// reproduced from its seed alone (see RandomProgramTests).
//
// Domains by construction: every expression is well defined (finite value and finite derivative) for EVERY real
// value of its sub-expressions. Functions with restricted domains only see arguments that are in their domain by
// form: Log(1 + e*e), Sqrt(e*e + 0.5), Asin(0.9 * Tanh(e)), Acosh(1.5 + e*e), divisions by (1 + e*e), Pow with a
// positive base when the exponent is not an integer, Atan2 with one argument bounded away from zero... So random
// sub-expressions, locals, branches and calls can be combined freely.
// Magnitudes: each expression carries a rough bound on |value| (parameters are sampled in [-2, 2]); an expression
// whose bound passes BoundLimit is squashed (c * Tanh(e / B)), and exponentials only see bounded arguments
// (Exp(3 * Tanh(e))), so values and derivatives stay moderate and centered differences stay accurate.
// Non-smooth operations (Abs, Max, Min, Clamp, Floor..., %, branches on values) are generated freely: the checker
// detects points near their kinks and resamples (DifferentialChecker).
//
// Extension points (loops, arrays, spans: the next generator milestone, SG0006 today):
//  * ProgramFeatures: add-ons are switched on by flags (Loops, ArrayParameters, LocalArrays are reserved, false by
//    default; turning one on today throws NotSupportedException from the matching production).
//  * ParamKind: add DiffArray / DataArray (and spans); MethodBuilder.Parameters decides the signature,
//    DifferentialChecker.Arguments the values (an array of a random length and the flattened point).
//  * MethodBuilder.Statement(): the weighted list of statement productions; add a Loop production there
//    (for with an accumulator `s += ...`, overwritten state `p = p * x + c`, while with a counter, break/continue
//    under a condition, return inside the loop). Keep loop trip counts small and constant or from an int parameter.
//  * MethodBuilder.Leaf(): add array reads `arr[i]`, `arr[(k + 1) % arr.Length]` as leaves once arrays exist.
//  * Operation coverage: every production records a tag in MethodBuilder.Tags; the coverage test asserts that
//    each tag in RandomProgramGenerator.AllTags occurs, so a new production must add its tag there.

/// <summary>Which constructs the random programs may use.</summary>
public sealed record ProgramFeatures
{
    public bool Calls { get; init; } = true;
    public bool Branches { get; init; } = true;
    public bool EarlyReturns { get; init; } = true;
    public bool FloatMath { get; init; } = true;

    /// <summary>Reassigning a [NoDerivative] parameter (with a data value only: see the note in MethodBuilder.Statement).</summary>
    public bool AssignDataParameters { get; init; } = true;

    /// <summary>for (up, down, steps ±c), foreach, while, do; break/continue/return inside; nested up to MaxLoopDepth.</summary>
    public bool Loops { get; init; } = true;

    /// <summary>double[] / ReadOnlySpan&lt;double&gt; / Span&lt;double&gt; parameters, differentiable and [NoDerivative], read at computed indices.</summary>
    public bool ArrayParameters { get; init; } = true;

    /// <summary>Local arrays and spans (new double[n], stackalloc) written in one loop and read in others.</summary>
    public bool LocalArrays { get; init; } = true;

    /// <summary>
    /// Local arrays updated in place over a triangle, h[j] += m · h[i] for j &gt; i (the ADBench GMM's shape): the reverse
    /// of such an update reads the array's adjoint, which later reverse code fills in.
    /// </summary>
    public bool InPlaceUpdates { get; init; } = true;

    /// <summary>
    /// foreach over Span/ReadOnlySpan (parameters and stackalloc locals). Off in C# 12 batches: with the .NET 10
    /// reference assemblies, C# 12 rejects foreach over a span (CS9202, "ref struct interfaces"), so only batches
    /// compiled as C# 13 turn it on (see <see cref="ForSeed"/>); foreach over double[] is in every batch.
    /// </summary>
    public bool ForeachOverSpans { get; init; }

    /// <summary>
    /// Known generator limitation, excluded from the default run: a ?: of real values inside a while condition is
    /// reported SG0017 ("a loop condition that needs a ?: of real values"). Off: while conditions have no ?:.
    /// </summary>
    public bool TernaryInLoopConditions { get; init; }

    /// <summary>
    /// A local array declared after an `if` that returns early (once a generator bug: CS0136, the adjoint buffer
    /// returned outside the branch that declared it; fixed, and kept on).
    /// </summary>
    public bool LocalArrayAfterEarlyReturn { get; init; } = true;

    /// <summary>
    /// A plain copy of a variable (`double z = y;`) followed by a loop that reassigns y and reads z (once a generator
    /// bug: a dead loop variable's assignment was printed onto the parameter; fixed, and kept on).
    /// </summary>
    public bool PlainCopies { get; init; } = true;

    // ---------------------------------------------------------------- issues #8 §5 and #9 §3

    /// <summary>ref locals to scalars (parameters and locals), refs to local-array elements, ref readonly to parameter elements.</summary>
    public bool RefLocals { get; init; } = true;

    /// <summary>Array and span variables (and array parameters) reassigned in branches; arrays created in a branch.</summary>
    public bool ArrayReassignment { get; init; } = true;

    /// <summary>
    /// Helper methods without the attribute (scalar, tuple- and struct-returning, and ADBench-style writers into a Span),
    /// taking doubles, ints, arrays, spans, slices and structs, calling each other.
    /// </summary>
    public bool Helpers { get; init; } = true;

    /// <summary>Overloads (helpers, and [Differentiable] methods whose generated objectives differ) and case-only name differences.</summary>
    public bool Overloads { get; init; } = true;

    /// <summary>Locals named like the generator's own identifiers (value, values, t0, xBar, dX, gradient...).</summary>
    public bool CollidingNames { get; init; } = true;

    /// <summary>Casts through long, short, float and int; decimal round trips of data.</summary>
    public bool NumericCasts { get; init; } = true;

    /// <summary>
    /// A decimal round trip of a differentiable value: the method is expected to be refused with SG0025 at the cast
    /// (the checker asserts that diagnostic and that no gradient was generated).
    /// </summary>
    public bool DecimalOfDifferentiable { get; init; } = true;

    /// <summary>
    /// Differentiable values passed to [NoDerivative] parameters of [Differentiable] callees, and assigned to
    /// [NoDerivative] parameters: the generator propagates the derivative (the README's rule: [NoDerivative] is about the
    /// caller's value), which the numeric check verifies.
    /// </summary>
    public bool DifferentiableIntoDataParameters { get; init; } = true;

    /// <summary>Deep nesting (a Horner chain of 20–60 levels, nested function calls) and long sums (50–300 terms).</summary>
    public bool DeepExpressions { get; init; } = true;

    /// <summary>Arrays created inside loop bodies and branches, filled and read in the same iteration.</summary>
    public bool ArraysInLoops { get; init; } = true;

    /// <summary>List&lt;double&gt; locals built with Add in a loop, edited through the indexer, read as an array.</summary>
    public bool Lists { get; init; } = true;

    /// <summary>Slices: AsSpan(o), AsSpan(o, n), Slice, ranges, as locals and as helper arguments.</summary>
    public bool Slices { get; init; } = true;

    /// <summary>Tuple locals, deconstruction, swaps, tuple-returning helpers.</summary>
    public bool Tuples { get; init; } = true;

    /// <summary>A small struct with operators (V2) as locals, helper parameters and return values, and [Differentiable] parameters.</summary>
    public bool Structs { get; init; } = true;

    /// <summary>LINQ over arrays (and spans through ToArray): Sum, Select, Max, Min, Average, Zip, Aggregate, Where.</summary>
    public bool Linq { get; init; } = true;

    /// <summary>Switch expressions (relational, int, var-when), switch statements, and/or/not patterns.</summary>
    public bool Switches { get; init; } = true;

    /// <summary>Local functions and lambdas (capturing and static), called with differentiable arguments.</summary>
    public bool LocalFunctions { get; init; } = true;

    /// <summary>
    /// Once a known generator bug, on since the fix: an array passed to a ReadOnlySpan/Span helper parameter, or a Span to a
    /// ReadOnlySpan one (implicit conversions) is SG0017 (KnownGeneratorBugTests.ArrayToReadOnlySpanParameter). Off:
    /// every argument has the parameter's exact type (AsSpan() where needed).
    /// </summary>
    public bool ImplicitSpanConversions { get; init; } = true;

    /// <summary>Known generator bug, off by default: a span variable re-pointed inside a loop is SG0006 (KnownGeneratorBugTests.SpanRepointedInALoop).</summary>
    public bool SpansRepointedInLoops { get; init; }

    /// <summary>
    /// Once a known generator bug, on since the fix: a span built with new ReadOnlySpan&lt;double&gt;(array) / new Span&lt;double&gt;(array, o, n)
    /// over a differentiable array gets a zero gradient (KnownGeneratorBugTests.SpanConstructedOverAnArrayKeepsTheDerivative).
    /// </summary>
    public bool SpanConstructors { get; init; } = true;

    /// <summary>
    /// Once a known generator bug (fixed: KnownGeneratorBugTests.ArrayVariableRepointedAtANewArray and its neighbours pass):
    /// a branch that makes one variable hold either a parameter array or an array the method created
    /// (`double[] a = u; if (c) a = new[] { x };`). Off in <see cref="Default"/> (on everywhere, the default run's 2,000
    /// programs passed but no longer covered every production); on in a quarter of the batches (<see cref="ForSeed"/>).
    /// </summary>
    public bool LocalArraysMixedWithParameters { get; init; }

    /// <summary>
    /// Once a known limitation (fixed: KnownGeneratorBugTests.RefToASpanElement): a ref (or ref readonly) to an element of
    /// a span. Still off: on in a quarter of the batches, the default run no longer covered every production.
    /// </summary>
    public bool RefsToSpanElements { get; init; }

    /// <summary>
    /// Known limitation, off by default: an array created in a loop condition (a helper argument `new[] { ... }` in a
    /// while condition) is SG0006 "A loop condition with side effects" (KnownGeneratorBugTests.ArrayCreatedInALoopCondition).
    /// </summary>
    public bool ArraysCreatedInLoopConditions { get; init; }

    /// <summary>
    /// AsSpan views of arrays created inside a branch (in a loop). Once a known generator bug (the reverse sweep took the
    /// view at the top of the iteration and threw when the branch was not taken); on by default since the fix.
    /// </summary>
    public bool AsSpanOfArraysCreatedInBranches { get; init; } = true;

    /// <summary>
    /// A writer helper called in place (H(h, s, h.Slice(0, n)): its input and its output overlap). Off for a while
    /// after it met a wrong gradient (batch seed 1118529382, M101); the cause was an array chosen against nothing after
    /// early returns, fixed in the reverse sweep, and that batch passes with it on.
    /// </summary>
    public bool WritersInPlace { get; init; } = true;

    /// <summary>The largest number of terms of a generated long sum, and of levels of a deep nesting (raise for long runs).</summary>
    public int MaxDeepTerms { get; init; } = 300;

    /// <summary>The features of a batch, a function of its seed alone (so a batch seed reproduces it): every 4th seed compiles as C# 13 with foreach over spans.</summary>
    public static ProgramFeatures ForSeed(int seed) => (seed % 4) switch
    {
        3 => Default with { ForeachOverSpans = true },
        2 => Default with { LocalArraysMixedWithParameters = true },
        _ => Default,
    };

    /// <summary>Loop nesting depth.</summary>
    public int MaxLoopDepth { get; init; } = 3;

    /// <summary>The largest trip count of one loop (constants, int parameters, array lengths are kept under it).</summary>
    public int MaxTrip { get; init; } = 6;

    /// <summary>The largest length the checker gives an array parameter.</summary>
    public const int MaxArrayLength = 5;

    public int MaxDepth { get; init; } = 3;
    public int MaxStatements { get; init; } = 4;
    public int MaxLevel { get; init; } = 3;
    public int MaxBranchNesting { get; init; } = 2;

    public static ProgramFeatures Default { get; } = new();
}

public enum ParamKind
{
    /// <summary>A differentiable double: one gradient output.</summary>
    Diff,

    /// <summary>A [NoDerivative] double: data.</summary>
    DataDouble,

    /// <summary>An int: data.</summary>
    Int,

    /// <summary>A differentiable double[] / ReadOnlySpan&lt;double&gt; / Span&lt;double&gt;: one Span&lt;double&gt; gradient output.</summary>
    DiffArray,

    /// <summary>A [NoDerivative] double[] / ReadOnlySpan&lt;double&gt;: data.</summary>
    DataArray,

    /// <summary>A differentiable V2 struct (two doubles): one out V2 gradient, two entries of the objective's vector.</summary>
    DiffStruct,
}

/// <summary>A parameter; <paramref name="Type"/> is the C# type of an array parameter (double[], ReadOnlySpan&lt;double&gt;, Span&lt;double&gt;).</summary>
public sealed record ParamSpec(string Name, ParamKind Kind, string Type = "double")
{
    public bool IsArray => Kind is ParamKind.DiffArray or ParamKind.DataArray;

    public bool IsRefLike => IsArray && Type.EndsWith("Span<double>", StringComparison.Ordinal);

    public bool IsStruct => Kind == ParamKind.DiffStruct;

    public bool IsDifferentiable => Kind is ParamKind.Diff or ParamKind.DiffArray or ParamKind.DiffStruct;

    /// <summary>The parameter's C# type.</summary>
    public string CSharpType => Kind switch
    {
        ParamKind.Int => "int",
        ParamKind.DiffStruct => "V2",
        ParamKind.DiffArray or ParamKind.DataArray => Type,
        _ => "double",
    };
}

/// <summary>What a helper (a method without the attribute) returns.</summary>
public enum HelperShape
{
    /// <summary>Not a helper: a [Differentiable] method.</summary>
    None,
    Scalar,
    Tuple,
    Struct,

    /// <summary>void: writes its last Span&lt;double&gt; parameter (ADBench's style).</summary>
    Writer,
}

/// <summary>One generated method: its text, signature and what the checker needs to know about it.</summary>
public sealed class RandomMethod
{
    public required string Name { get; init; }
    public required IReadOnlyList<ParamSpec> Parameters { get; init; }
    public required string Source { get; init; }
    public required int Level { get; init; }
    public required IReadOnlyList<RandomMethod> Callees { get; init; }
    public required double OutputBound { get; init; }

    /// <summary>The value goes through float arithmetic somewhere (itself or a callee): float-accurate numeric differences.</summary>
    public required bool UsesFloat { get; init; }

    public required IReadOnlySet<string> Tags { get; init; }

    /// <summary>The position in its batch (methods and helpers), unique even among overloads.</summary>
    public int Index { get; init; }

    /// <summary>A helper without the attribute (not checked itself; its callers are), and what it returns.</summary>
    public HelperShape Helper { get; init; }

    public bool IsHelper => Helper != HelperShape.None;

    /// <summary>A diagnostic the generator must report for this method (and then generate no gradient), or null.</summary>
    public string? ExpectedDiagnostic { get; init; }

    public IEnumerable<ParamSpec> DiffParameters => Parameters.Where(p => p.IsDifferentiable);

    public IEnumerable<ParamSpec> DataParameters => Parameters.Where(p => !p.IsDifferentiable);

    /// <summary>No array parameters: callable from other random methods with scalar (and struct) arguments.</summary>
    public bool IsScalar => Parameters.All(p => !p.IsArray);

    /// <summary>Other methods may call it: it gets a gradient (no expected diagnostic).</summary>
    public bool Callable => ExpectedDiagnostic is null;

    /// <summary>The signature, for reports: M5(double x, [NoDerivative] double a).</summary>
    public string Signature => Name + "(" + string.Join(", ", Parameters.Select(p => p.CSharpType + " " + p.Name)) + ")";

    /// <summary>This method and every method it calls, directly or not, callees first.</summary>
    public IReadOnlyList<RandomMethod> Closure()
    {
        var seen = new List<RandomMethod>();
        void Visit(RandomMethod m)
        {
            if (seen.Contains(m))
            {
                return;
            }

            foreach (var c in m.Callees)
            {
                Visit(c);
            }

            seen.Add(m);
        }

        Visit(this);
        return seen;
    }

    /// <summary>A self-contained compilation unit with this method and its callees (what a failure report prints).</summary>
    public string StandaloneSource(string className = RandomProgramGenerator.ClassName) =>
        RandomProgramGenerator.Wrap(Closure().Select(m => m.Source), className);
}

public sealed class RandomBatch
{
    public required int Seed { get; init; }
    public required IReadOnlyList<RandomMethod> Methods { get; init; }
    public required string Source { get; init; }

    /// <summary>Compile as C# 13 rather than C# 12 (the batch has foreach over spans: see ProgramFeatures.ForeachOverSpans).</summary>
    public bool CSharp13 { get; init; }
}

/// <summary>Writes batches of random [Differentiable] methods from a seed. See the design note above.</summary>
public sealed partial class RandomProgramGenerator
{
    public const string Namespace = "RandomDemo";
    public const string ClassName = "P";

    /// <summary>Every production tag; the coverage test asserts each one is generated.</summary>
    public static IReadOnlyList<string> AllTags => BaseTags.Concat(ConstructTags).ToList();

    private static readonly IReadOnlyList<string> BaseTags = new[]
    {
        "add", "sub", "mul", "div", "mod", "neg", "const", "int", "data",
        "Exp", "Log", "Log2arg", "Log10", "Log2", "Sqrt", "Cbrt", "Pow(x,c)", "Pow(c,x)", "Pow(x,y)",
        "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Atan2", "Sinh", "Cosh", "Tanh", "Asinh", "Acosh", "Atanh",
        "Abs", "Max", "Min", "Clamp", "FusedMultiplyAdd", "Hypot", "Floor", "Ceiling", "Round", "Truncate", "Sign",
        "Math.", "double.", "MathF", "float.", "(float)", "?:", "call",
        "local", "assign", "assign-param", "assign-data", "+=", "-=", "*=", "/=", "++", "--",
        "if", "if-else", "nested-if", "early-return", "&&", "||", "!", "cmp-int", "cmp-data", "IsFinite", "block-body", "expression-body",
        "named-const", "float-local", "uninitialized-local", "int-mutation", "throw", "(int)", "Pow(x,int)",
        // loops
        "for-up", "for-from-1", "for-step", "for-down", "for-down-step", "while", "while-value-cond", "while-pattern-var", "do", "foreach", "nested-loop", "triple-loop",
        "bound-const", "bound-int", "bound-length", "bound-length-1",
        "accumulate", "product", "horner", "logistic", "swap", "carried-overwrite", "carried-shrink",
        "break", "continue", "return-in-loop", "branch-in-loop", "cmp-index", "loop-index", "call-in-loop",
        // arrays
        "array-param", "readonly-span-param", "span-param", "data-array", "data-span", "array-read-data",
        "index-const", "index-last", "index-int", "index-mod", "index-affine", "index-reverse", "index-direct", "index-neighbor", "index-two-vars",
        "local-array", "stackalloc", "array-fill", "array-passes", "array-write", "foreach-local", "running-offset", "shift-copy",
    };

    private readonly Random _rng;
    private readonly ProgramFeatures _features;

    public RandomProgramGenerator(int seed, ProgramFeatures? features = null)
    {
        Seed = seed;
        _rng = new Random(seed);
        _features = features ?? ProgramFeatures.Default;
    }

    public int Seed { get; }

    /// <summary>The small struct of the Structs feature, declared before the class in every batch.</summary>
    public const string StructSource =
        "public readonly struct V2\n{\n    public readonly double X;\n    public readonly double Y;\n\n" +
        "    public V2(double x, double y)\n    {\n        X = x;\n        Y = y;\n    }\n\n" +
        "    public static V2 operator +(V2 a, V2 b) => new(a.X + b.X, a.Y + b.Y);\n" +
        "    public static V2 operator -(V2 a, V2 b) => new(a.X - b.X, a.Y - b.Y);\n" +
        "    public static V2 operator *(double s, V2 a) => new(s * a.X, s * a.Y);\n" +
        "    public double Dot(V2 o) => X * o.X + Y * o.Y;\n" +
        "    public double Norm2 => X * X + Y * Y;\n}\n\n";

    public static string Wrap(IEnumerable<string> methods, string className = ClassName) =>
        "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing SymbolicGrad;\n\nnamespace " + Namespace + ";\n\n" + StructSource + "public static partial class " + className + "\n{\n" +
        "    private const double Scale = 0.5;\n    private static readonly double Gain = 1.5;\n\n" +
        string.Join("\n", methods) + "}\n";

    public RandomBatch Batch(int count)
    {
        // `count` [Differentiable] methods, with helpers (no attribute) in between that later methods call.
        var methods = new List<RandomMethod>(count);
        int differentiable = 0;
        int helpers = 0;
        while (differentiable < count)
        {
            if (_features.Helpers && _rng.NextDouble() < 0.25)
            {
                var shape = _rng.Next(10) switch
                {
                    < 6 => HelperShape.Scalar,
                    6 when _features.Tuples => HelperShape.Tuple,
                    7 when _features.Structs => HelperShape.Struct,
                    8 or 9 when _features.LocalArrays => HelperShape.Writer,
                    _ => HelperShape.Scalar,
                };
                methods.Add(new MethodBuilder(_rng, _features, "H" + (helpers++).ToString(CultureInfo.InvariantCulture), methods, shape).Build());
                continue;
            }

            methods.Add(new MethodBuilder(_rng, _features, "M" + (differentiable++).ToString(CultureInfo.InvariantCulture), methods, HelperShape.None).Build());
        }

        return new RandomBatch { Seed = Seed, Methods = methods, Source = Wrap(methods.Select(m => m.Source)), CSharp13 = _features.ForeachOverSpans };
    }

    private readonly record struct Ex(string Text, double Bound, bool Atom = false)
    {
        /// <summary>The text, parenthesized unless it is an atom (a name, a call, a literal, already in parentheses).</summary>
        public string P => Atom ? Text : "(" + Text + ")";
    }

    private sealed class Local
    {
        public required string Name { get; init; }
        public double Bound { get; set; }

        /// <summary>Data (no derivative); a [NoDerivative] parameter stops being data once a differentiable value is assigned to it.</summary>
        public bool IsData { get; set; }

        /// <summary>A ref local (or ref readonly alias of an element): never captured by lambdas or local functions.</summary>
        public bool IsRef { get; init; }
        public bool IsParameter { get; init; }

        /// <summary>A float local: read as (double)name, never reassigned.</summary>
        public bool IsFloat { get; init; }

        /// <summary>An int local (a loop index or counter): data, read as (double)name, never assigned by random statements.</summary>
        public bool IsInt { get; init; }

        /// <summary>Owned by a loop pattern (accumulator, Horner...): read freely, assigned only by the pattern.</summary>
        public bool Pinned { get; init; }
    }

    /// <summary>An array in scope: a parameter or a local array.</summary>
    private sealed class ArrayInfo
    {
        public required string Name { get; init; }

        /// <summary>The C# type: double[], Span&lt;double&gt; or ReadOnlySpan&lt;double&gt;.</summary>
        public string Type { get; init; } = "double[]";

        /// <summary>A read-only view of other arrays (a reassigned alias, a slice): never written.</summary>
        public bool IsAlias { get; init; }

        /// <summary>The index in _scopes of the scope that declared it (it leaves with that scope).</summary>
        public int Scope { get; init; }

        /// <summary>Created inside a branch (or a view or alias of such an array): see ProgramFeatures.AsSpanOfArraysCreatedInBranches.</summary>
        public bool CreatedInBranch { get; init; }

        /// <summary>A parameter, or a view or alias that may be one (not a local array or a copy).</summary>
        public bool MayBeParameter { get; init; }

        /// <summary>Stack memory (stackalloc, or a view of it): a Span local holding it cannot be assigned from a wider-scoped one first.</summary>
        public bool StackScoped { get; init; }

        public bool IsData { get; init; }
        public bool IsLocal { get; init; }

        /// <summary>A Span/ReadOnlySpan (foreach over it needs C# 13 here: see ProgramFeatures.ForeachOverSpans).</summary>
        public bool IsSpan { get; init; }

        /// <summary>Bound on |element|.</summary>
        public double Bound { get; set; }

        /// <summary>Bound on the length.</summary>
        public int LengthBound { get; init; }
    }

    /// <summary>A loop index in scope; <see cref="Direct"/> are index expressions known to be in range for <see cref="Over"/>.</summary>
    private sealed record LoopVar(string Name, ArrayInfo? Over, string[] Direct);

    private sealed partial class MethodBuilder
    {
        private const double BoundLimit = 30;
        private const double ArgumentBound = 3;

        /// <summary>Parameters are sampled in [-2, 2]; arguments of calls may be larger, up to ArgumentBound.</summary>
        private const double SampledBound = 2;

        private static readonly double[] Constants = { 0.5, 1.5, 2.0, 0.25, 3.0, 0.75, 1.25, 2.5, 0.1, 4.0, 1.0, 0.3 };
        private static readonly string[] DiffNames = { "x", "y", "z", "w" };
        private static readonly string[] DataNames = { "a", "b" };
        private static readonly string[] IntNames = { "k", "n" };
        private static readonly string[] ArrayNames = { "u", "c" };

        private readonly Random _rng;
        private readonly ProgramFeatures _f;
        private string _name;
        private readonly IReadOnlyList<RandomMethod> _earlier;
        private readonly List<ParamSpec> _parameters = new();
        private readonly List<List<Local>> _scopes = new();
        private readonly HashSet<string> _tags = new(StringComparer.Ordinal);
        private readonly List<RandomMethod> _callees = new();
        private readonly StringBuilder _body = new();
        private int _indent = 2;
        private int _nextLocal;
        private int _branchNesting;
        private readonly List<ArrayInfo> _arrays = new();
        private readonly List<LoopVar> _loopVars = new();

        /// <summary>For each enclosing loop, the index in _scopes of its body scope (locals in lower scopes are loop-carried).</summary>
        private readonly List<int> _loopScopes = new();

        /// <summary>Results of loop patterns, folded into the returned value so the loops matter.</summary>
        private readonly List<Local> _loopResults = new();

        private int LoopDepth => _loopScopes.Count;

        private static readonly System.Text.RegularExpressions.Regex CopyPattern =
            new(@"^(\(double\))?[A-Za-z_]\w*$|^1\.0 \* \(?(\(double\))?[A-Za-z_]\w*\)?$|^\(?[A-Za-z_]\w*\)? (\*|/) 1\.0$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        /// <summary>
        /// Avoids a plain copy of a variable (`z = y`, `double v = 1.0 * y`) as an assigned value when loops are on:
        /// see ProgramFeatures.PlainCopies (a known generator bug).
        /// </summary>
        private Ex NoCopy(Ex e) =>
            _f.Loops && !_f.PlainCopies && CopyPattern.IsMatch(e.Text) && !e.Text.StartsWith("Math.", StringComparison.Ordinal)
                ? new Ex(e.Text + " + 0.5", e.Bound + 0.5)
                : e;

        /// <summary>A return statement has been written (see ProgramFeatures.LocalArrayAfterEarlyReturn).</summary>
        private bool _returned;

        /// <summary>Generating a while condition: no ?: (see ProgramFeatures.TernaryInLoopConditions).</summary>
        private bool _inLoopCondition;
        private double _outputBound;
        private bool _usesFloat;

        public MethodBuilder(Random rng, ProgramFeatures features, string name, IReadOnlyList<RandomMethod> earlier, HelperShape helper)
        {
            _rng = rng;
            _f = features;
            _name = name;
            _earlier = earlier;
            _helper = helper;
            _index = earlier.Count;
        }

        private bool Chance(double p) => _rng.NextDouble() < p;

        private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

        private static string Num(double c) => c.ToString("0.0##############", CultureInfo.InvariantCulture);

        private Ex Const()
        {
            _tags.Add("const");
            if (Chance(0.1))
            {
                // Constants that are not literals: Math.PI, Math.E, a const field, a static readonly field.
                _tags.Add("named-const");
                return Pick(new[] { new Ex("Math.PI", 3.2, true), new Ex("Math.E", 2.8, true), new Ex("Scale", 0.5, true), new Ex(ClassName + ".Gain", 1.5, true) });
            }

            double c = Pick(Constants);
            return Chance(0.2) ? new Ex("-" + Num(c), c) : new Ex(Num(c), c, Atom: true);
        }

        public RandomMethod Build()
        {
            if (_helper == HelperShape.Writer)
            {
                return BuildWriter();
            }

            bool helper = _helper != HelperShape.None;
            if (helper)
            {
                HelperParameters();
            }
            else
            {
                DifferentiableParameters();
            }

            foreach (var p in _parameters.Where(p => p.IsArray))
            {
                _arrays.Add(new ArrayInfo { Name = p.Name, Type = p.Type, MayBeParameter = true, IsData = p.Kind == ParamKind.DataArray, IsSpan = p.IsRefLike, Bound = SampledBound, LengthBound = ProgramFeatures.MaxArrayLength });
            }

            _scopes.Add(_parameters.Where(p => !p.IsArray && !p.IsStruct).Select(p => new Local
            {
                Name = p.Name,
                Bound = p.Kind == ParamKind.Int ? 4 : SampledBound,
                IsData = p.Kind is not (ParamKind.Diff or ParamKind.DiffStruct),
                IsParameter = true,
            }).ToList());
            foreach (var p in _parameters.Where(p => p.IsStruct))
            {
                DeclareStruct(p.Name, SampledBound, SampledBound);
            }

            // A decimal round trip of a differentiable value: the method must be refused with SG0025 (issue #8 §1).
            _expectedDiagnostic = !helper && _f.DecimalOfDifferentiable && _f.NumericCasts && Chance(0.01) && _parameters.Any(p => p.Kind == ParamKind.Diff) ? "SG0025" : null;
            ChooseName();

            string signature = string.Join(", ", _parameters.Select(p => p.Kind switch
            {
                ParamKind.Diff => "double " + p.Name,
                ParamKind.DataDouble => "[NoDerivative] double " + p.Name,
                ParamKind.DiffArray => p.Type + " " + p.Name,
                ParamKind.DataArray => "[NoDerivative] " + p.Type + " " + p.Name,
                ParamKind.DiffStruct => "V2 " + p.Name,
                _ => "int " + p.Name,
            }));

            var text = new StringBuilder();
            text.Append(helper ? "    private static " : "    [Differentiable]\n    public static ").Append(ReturnType).Append(' ').Append(_name).Append('(').Append(signature).Append(')');
            if (_expectedDiagnostic is null && Chance(0.2))
            {
                _tags.Add("expression-body");
                var e = ReturnExpression(Depth());
                _outputBound = e.Bound;
                text.Append(" =>\n        ").Append(ShapeReturn(e)).Append(";\n");
            }
            else
            {
                _tags.Add("block-body");
                if (_expectedDiagnostic is not null)
                {
                    var x = Pick(_parameters.Where(p => p.Kind == ParamKind.Diff).ToList());
                    _decimalLocal = new Local { Name = NewName("v"), Bound = SampledBound, Pinned = true };
                    _tags.Add("decimal-differentiable");
                    Line("double " + _decimalLocal.Name + " = 0.5 * (double)(decimal)" + x.Name + ";");
                    _scopes[^1].Add(_decimalLocal);
                }

                int n = 1 + _rng.Next(_f.MaxStatements);
                bool returned = false;
                for (int i = 0; i < n && !returned; i++)
                {
                    returned = Statement();
                }

                if (!returned)
                {
                    Return();
                }
                text.Append("\n    {\n").Append(_body).Append("    }\n");
            }

            return new RandomMethod
            {
                Name = _name,
                Parameters = _parameters.ToList(),
                Source = text.ToString(),
                Level = _callees.Count == 0 ? 0 : 1 + _callees.Max(c => c.Level),
                Callees = _callees.Distinct().ToList(),
                OutputBound = Math.Max(_outputBound, 1e-3),
                UsesFloat = _usesFloat || _callees.Any(c => c.UsesFloat),
                Tags = _tags,
                Index = _index,
                Helper = _helper,
                ExpectedDiagnostic = _expectedDiagnostic,
            };
        }

        /// <summary>The parameters of a [Differentiable] method.</summary>
        private void DifferentiableParameters()
        {
            // Arrays: up to 2 differentiable (double[], ReadOnlySpan<double>, Span<double>), up to 1 [NoDerivative].
            int nDiffArrays = _f.ArrayParameters && Chance(0.4) ? 1 + (Chance(0.3) ? 1 : 0) : 0;
            for (int i = 0; i < nDiffArrays; i++)
            {
                string type = Pick(new[] { "double[]", "ReadOnlySpan<double>", "Span<double>" });
                _tags.Add(type switch { "double[]" => "array-param", "Span<double>" => "span-param", _ => "readonly-span-param" });
                _parameters.Add(new ParamSpec(ArrayNames[i], ParamKind.DiffArray, type));
            }

            bool dataSpan = false;
            if (_f.ArrayParameters && Chance(0.2))
            {
                dataSpan = Chance(0.4);
                _tags.Add(dataSpan ? "data-span" : "data-array");
                _parameters.Add(new ParamSpec("t", ParamKind.DataArray, dataSpan ? "ReadOnlySpan<double>" : "double[]"));
            }

            // Signature: 1-4 differentiable doubles (0-3 next to a differentiable array), up to 2 [NoDerivative] doubles, up to 1 int, in a random order.
            int nDiff = nDiffArrays > 0 ? _rng.Next(4) : 1 + _rng.Next(4);
            for (int i = 0; i < nDiff; i++)
            {
                _parameters.Add(new ParamSpec(DiffNames[i], ParamKind.Diff));
            }

            // A V2 struct parameter (its gradient is an out V2); not next to a data span (the checker's wrapper packs no structs).
            if (_f.Structs && !dataSpan && Chance(0.06))
            {
                _tags.Add("struct-param");
                _parameters.Add(new ParamSpec("q", ParamKind.DiffStruct));
            }

            int nData = Chance(0.4) ? 1 + _rng.Next(2) : 0;
            for (int i = 0; i < nData; i++)
            {
                _parameters.Add(new ParamSpec(DataNames[i], ParamKind.DataDouble));
            }

            if (Chance(0.35))
            {
                _parameters.Add(new ParamSpec(Pick(IntNames), ParamKind.Int));
            }

            Shuffle();
        }

        /// <summary>The parameters of a helper: 1-3 doubles, maybe an array or span, an int, a V2.</summary>
        private void HelperParameters()
        {
            if ((_f.ArrayParameters || _f.LocalArrays) && Chance(0.4))
            {
                string type = Pick(new[] { "double[]", "double[]", "Span<double>", "Span<double>", "ReadOnlySpan<double>" });
                _tags.Add("helper-" + (type == "double[]" ? "array" : type == "Span<double>" ? "span" : "readonly-span") + "-param");
                _parameters.Add(new ParamSpec("u", ParamKind.DiffArray, type));
            }

            int n = 1 + _rng.Next(3);
            for (int i = 0; i < n; i++)
            {
                _parameters.Add(new ParamSpec(DiffNames[i], ParamKind.Diff));
            }

            if (_f.Structs && Chance(0.12))
            {
                _tags.Add("helper-struct-param");
                _parameters.Add(new ParamSpec("q", ParamKind.DiffStruct));
            }

            if (Chance(0.25))
            {
                _parameters.Add(new ParamSpec(Pick(IntNames), ParamKind.Int));
            }

            Shuffle();
        }

        private void Shuffle()
        {
            for (int i = _parameters.Count - 1; i > 0; i--)
            {
                int j = _rng.Next(i + 1);
                (_parameters[i], _parameters[j]) = (_parameters[j], _parameters[i]);
            }
        }

        /// <summary>The depth of a statement's expression: mostly MaxDepth - 1, sometimes MaxDepth (keeps batches fast to compile).</summary>
        private int Depth() => Chance(0.3) ? _f.MaxDepth : _f.MaxDepth - 1;

        private void Line(string s) => _body.Append(' ', _indent * 4).Append(s).Append('\n');

        private IEnumerable<Local> Visible => _scopes.SelectMany(s => s);

        /// <summary>Leaves the innermost scope, with the arrays, structs and functions it declared.</summary>
        private void PopScope()
        {
            _scopes.RemoveAt(_scopes.Count - 1);
            _arrays.RemoveAll(a => a.Scope >= _scopes.Count && a.Scope > 0);
            _structs.RemoveAll(v => v.Scope >= _scopes.Count && v.Scope > 0);
            _functions.RemoveAll(f => f.Scope >= _scopes.Count && f.Scope > 0);
        }

        private void Return()
        {
            var e = ReturnExpression(Depth());
            if (LoopDepth > 0)
            {
                _tags.Add("return-in-loop");
            }

            _returned = true;

            // Fold the results of loop patterns in scope into the value, so that most loops reach the output.
            foreach (var r in _loopResults.Where(r => Visible.Contains(r)))
            {
                if (Chance(0.7))
                {
                    var b = Bounded(new Ex(r.Name, r.Bound, Atom: true), 10);
                    e = new Ex(e.Text + " + " + b.P, e.Bound + b.Bound);
                }
            }

            _outputBound = Math.Max(_outputBound, e.Bound);
            Line("return " + ShapeReturn(e) + ";");
        }

        /// <summary>A block of statements; true when every path through it returns (no code may follow it).</summary>
        private bool Block(int statements, bool allowReturn)
        {
            _scopes.Add(new List<Local>());
            _indent++;
            bool returned = false;
            for (int i = 0; i < statements && !returned; i++)
            {
                returned = Statement();
            }

            if (!returned && allowReturn && _f.EarlyReturns && Chance(0.4))
            {
                _tags.Add("early-return");
                Return();
                returned = true;
            }

            _indent--;
            PopScope();
            return returned;
        }

        /// <summary>One statement. Extension point: loop and local-array productions go in this switch.</summary>
        private bool Statement()
        {
            if (NewStatement() is { } done)
            {
                return done;
            }

            if (_f.Loops && LoopDepth < _f.MaxLoopDepth && Chance(LoopDepth switch { 0 => 0.25, 1 => 0.12, _ => 0.05 }))
            {
                return Loop();
            }

            if (_f.LocalArrays && LoopDepth == 0 && _scopes.Count == 1 && _branchNesting == 0 && (_f.LocalArrayAfterEarlyReturn || !_returned) && Chance(0.12))
            {
                LocalArray();
                return false;
            }

            if (LoopDepth > 0 && Chance(0.12))
            {
                BreakOrContinue();
                return false;
            }

            if (LoopDepth > 0 && _arrays.Any(a => a.IsLocal) && Chance(0.12))
            {
                WriteElement(Pick(_arrays.Where(a => a.IsLocal).ToList()));
                return false;
            }

            var assignable = Visible.Where(l => !l.IsFloat && !l.IsInt && !l.Pinned && (!l.IsData || (l.IsParameter && l.Name is "a" or "b"))).ToList();
            int choice = _rng.Next(100);
            if (choice >= 25 && choice < 31)
            {
                Special();
                return false;
            }

            if (choice < 31 || assignable.Count == 0)
            {
                _tags.Add("local");
                var e = NoCopy(Expr(Depth()));
                string name = LocalName();
                _scopes[^1].Add(new Local { Name = name, Bound = e.Bound });
                Line("double " + name + " = " + e.Text + ";");
                return false;
            }

            if (choice < 70 || !_f.Branches || _branchNesting >= _f.MaxBranchNesting)
            {
                var target = Pick(assignable);
                if (target.IsData)
                {
                    // A [NoDerivative] parameter reassigned: only with data (a differentiable value assigned to a
                    // [NoDerivative] parameter has no agreed meaning yet, so it is not generated).
                    if (!_f.AssignDataParameters)
                    {
                        return false;
                    }

                    if (_f.DifferentiableIntoDataParameters && LoopDepth == 0 && _branchNesting == 0 && _lambdaDepth == 0 && Chance(0.3))
                    {
                        // A differentiable value assigned to a [NoDerivative] parameter: from here on it is an
                        // ordinary local with its true derivative (the README's rule). Outside loops only: in a loop,
                        // reads earlier in the body would see the differentiable value of the previous iteration
                        // while the generator of this test still takes them for data (decimal-data, SG0025).
                        _tags.Add("assign-data-differentiable");
                        var v = NoCopy(Bounded(Expr(Depth()), 3));
                        target.Bound = Math.Max(target.Bound, v.Bound);
                        target.IsData = false;
                        Line(target.Name + " = " + v.Text + ";");
                        return false;
                    }

                    _tags.Add("assign-data");
                    var d = IsCarried(target) ? Bounded(DataExpr(2), Math.Max(target.Bound, 2)) : DataExpr(2);
                    target.Bound = Math.Max(target.Bound, d.Bound);
                    Line(target.Name + " = " + d.Text + ";");
                    return false;
                }

                Assign(target);
                return false;
            }

            return If();
        }

        /// <summary>Rarer statements: a float local, a local assigned in both branches, int data mutated, throw.</summary>
        private void Special()
        {
            var ints = Visible.Where(l => l.IsParameter && l.Name is "k" or "n").ToList();
            switch (_rng.Next(4))
            {
                case 0 when _f.FloatMath:
                {
                    _tags.Add("float-local");
                    var e = Bounded(Expr(_f.MaxDepth - 1), BoundLimit);
                    string name = "f" + (_nextLocal++).ToString(CultureInfo.InvariantCulture);
                    _scopes[^1].Add(new Local { Name = name, Bound = e.Bound, IsFloat = true });
                    Line("float " + name + " = (float)" + e.P + ";");
                    break;
                }

                case 1 when _f.Branches:
                {
                    _tags.Add("uninitialized-local");
                    string name = "v" + (_nextLocal++).ToString(CultureInfo.InvariantCulture);
                    Line("double " + name + ";");
                    Line("if (" + Condition(1) + ")");
                    Line("{");
                    var l = NoCopy(Expr(_f.MaxDepth - 1));
                    var r = NoCopy(Expr(_f.MaxDepth - 1));
                    Line("    " + name + " = " + l.Text + ";");
                    Line("}");
                    Line("else");
                    Line("{");
                    Line("    " + name + " = " + r.Text + ";");
                    Line("}");
                    _scopes[^1].Add(new Local { Name = name, Bound = Math.Max(l.Bound, r.Bound) });
                    break;
                }

                case 2 when ints.Count > 0 && LoopDepth == 0:
                {
                    // int data mutated (kept >= 0, so Pow(e, k) never divides by zero).
                    _tags.Add("int-mutation");
                    var k = Pick(ints);
                    switch (_rng.Next(3))
                    {
                        case 0:
                            Line(k.Name + "++;");
                            k.Bound += 1;
                            break;
                        case 1:
                            Line(k.Name + " += 2;");
                            k.Bound += 2;
                            break;
                        default:
                            Line(k.Name + " = " + k.Name + " % 3 + 1;");
                            k.Bound = Math.Max(k.Bound, 3);
                            break;
                    }

                    break;
                }

                default:
                    _tags.Add("throw");
                    Line("if (double.IsNaN(" + Expr(1).Text + ")) throw new ArgumentException(\"not a number\");");
                    break;
            }
        }

        // ---------------------------------------------------------------- loops and arrays

        private string NewName(string prefix) => prefix + (_nextLocal++).ToString(CultureInfo.InvariantCulture);

        private static string Int(int i) => i.ToString(CultureInfo.InvariantCulture);

        /// <summary>FNV-1a of a string: a seed that is the same in every process (string.GetHashCode is not).</summary>
        private static int StableSeed(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return unchecked((int)hash);
        }

        /// <summary>A trip count: the limit's text, a bound on it, and the array whose length it is (minus one or not).</summary>
        private (string Limit, int Trip, ArrayInfo? Over, bool MinusOne) TripCount()
        {
            int r = _rng.Next(10);
            if (r < 4 && _arrays.Count > 0)
            {
                var a = Pick(_arrays);
                if (Chance(0.8))
                {
                    _tags.Add("bound-length");
                    return (a.Name + ".Length", a.LengthBound, a, false);
                }

                _tags.Add("bound-length-1");
                return (a.Name + ".Length - 1", a.LengthBound - 1, a, true);
            }

            var ints = Visible.Where(l => l.IsParameter && l.Name is "k" or "n").ToList();
            if (r < 7 && ints.Count > 0)
            {
                _tags.Add("bound-int");
                var k = Pick(ints);
                return k.Bound <= _f.MaxTrip ? (k.Name, (int)k.Bound, null, false) : (k.Name + " % 5", 4, null, false);
            }

            _tags.Add("bound-const");
            int c = 1 + _rng.Next(_f.MaxTrip);
            return (Int(c), c, null, false);
        }

        /// <summary>
        /// A loop: a header (for up/down/steps, while, do, foreach), a pattern of loop-carried state declared before
        /// it (accumulator, product, Horner, logistic map, two values swapped, or none), and random statements in
        /// its body (which may nest loops, branch, break, continue, return, call, write local arrays).
        /// </summary>
        private bool Loop()
        {
            if (LoopDepth == 1)
            {
                _tags.Add("nested-loop");
            }
            else if (LoopDepth == 2)
            {
                _tags.Add("triple-loop");
            }

            var (limit, trip, over, minusOne) = TripCount();
            var iterable = _arrays.Where(a => _f.ForeachOverSpans || !a.IsSpan).ToList();
            int form = _rng.Next(iterable.Count > 0 ? 10 : 8);
            ArrayInfo? foreachArray = null;
            if (form >= 8)
            {
                foreachArray = over is not null && iterable.Contains(over) ? over : Pick(iterable);
                trip = foreachArray.LengthBound;
            }

            trip = Math.Max(trip, 1);

            // The pattern's state, declared before the loop, with the bound it can reach after `trip` iterations.
            int pattern = _rng.Next(8);
            var results = new List<Local>();
            Local Declare(string text, double bound)
            {
                var l = new Local { Name = NewName("v"), Bound = bound, Pinned = true };
                Line("double " + l.Name + " = " + text + ";");
                _scopes[^1].Add(l);
                results.Add(l);
                return l;
            }

            Func<IEnumerable<string>>? update = null;
            switch (pattern)
            {
                case 0:
                case 1:
                {
                    _tags.Add("accumulate");
                    var init = Chance(0.5) ? new Ex("0.0", 0, true) : Bounded(Expr(1), 2);
                    var s = Declare(init.Text, init.Bound + 3.0 * trip);
                    string op = Chance(0.7) ? " += " : " -= ";
                    update = () => new[] { s.Name + op + Bounded(Expr(Depth()), 3).Text + ";" };
                    break;
                }

                case 2:
                {
                    _tags.Add("product");
                    var p = Declare("1.0", Math.Pow(1.5, trip));
                    update = () => new[] { Chance(0.5)
                        ? p.Name + " *= 1.0 + 0.5 * " + Fn("Tanh") + "(" + Expr(Depth()).Text + ");"
                        : p.Name + " *= " + Bounded(Expr(Depth()), 1.5).Text + ";" };
                    break;
                }

                case 3:
                {
                    _tags.Add("horner");
                    var scalars = Visible.Where(l => l.IsParameter && !l.IsData && l.Bound <= 2).ToList();
                    bool raw = trip <= 4 && scalars.Count > 0 && Chance(0.6);
                    double xb = raw ? 2 : 1.2;
                    double bound = 0;
                    for (int i = 0; i < trip; i++)
                    {
                        bound = bound * xb + 3;
                    }

                    var p = Declare("0.0", bound);
                    update = () =>
                    {
                        string x = raw ? Pick(scalars).Name : Bounded(Expr(2), 1.2).P;
                        var c = _arrays.Count > 0 && Chance(0.8) ? ArrayRead(Pick(_arrays)) : Bounded(Expr(1), 2);
                        return new[] { p.Name + " = " + p.Name + " * " + x + " + " + Bounded(c, 3).Text + ";" };
                    };
                    break;
                }

                case 4:
                {
                    _tags.Add("logistic");
                    var x = Declare("0.5 + 0.4 * " + Fn("Tanh") + "(" + Expr(2).Text + ")", 1);
                    var r = Declare("3.0 + 0.5 * " + Fn("Tanh") + "(" + Expr(2).Text + ")", 3.5);
                    results.Remove(r);
                    update = () => new[] { x.Name + " = " + r.Name + " * " + x.Name + " * (1.0 - " + x.Name + ");" };
                    break;
                }

                case 5:
                {
                    _tags.Add("swap");
                    double bound = 2 * Math.Pow(1.3, trip);
                    var a = Declare(Bounded(Expr(2), 2).Text, bound);
                    var b = Declare(Bounded(Expr(2), 2).Text, bound);
                    update = () =>
                    {
                        string next = NewName("v");
                        var m = Bounded(Expr(2), 0.8);
                        return new[]
                        {
                            "double " + next + " = 0.5 * " + a.Name + " + " + b.Name + " * " + m.P + ";",
                            a.Name + " = " + b.Name + ";",
                            b.Name + " = " + next + ";",
                        };
                    };
                    break;
                }
            }

            // The header.
            string v = NewName("i");
            var counter = new Local { Name = v, Bound = trip, IsData = true, IsInt = true, Pinned = true };
            string len = over is null ? "" : over.Name + ".Length";
            string[] zeroBased = over is null ? Array.Empty<string>() : minusOne ? new[] { v, v + " + 1" } : new[] { v, len + " - 1 - " + v };
            string[] oneBased = over is null ? Array.Empty<string>() : minusOne ? new[] { v + " - 1", v } : new[] { v + " - 1" };
            string[] direct = Array.Empty<string>();
            string? header = null;
            string? footer = null;
            Local? element = null;
            Local? patternLocal = null;
            bool countsAtTop = false;
            int step = Chance(0.5) ? 2 : 3;
            switch (form)
            {
                case 0:
                case 1:
                    _tags.Add("for-up");
                    header = "for (int " + v + " = 0; " + v + " < " + limit + "; " + v + (Chance(0.5) ? "++)" : " += 1)");
                    direct = zeroBased;
                    break;
                case 2:
                    _tags.Add("for-from-1");
                    header = "for (int " + v + " = 1; " + v + " < " + limit + "; " + v + "++)";
                    direct = over is null ? Array.Empty<string>() : minusOne ? new[] { v, v + " - 1", v + " + 1" } : new[] { v, v + " - 1" };
                    break;
                case 3:
                    _tags.Add("for-step");
                    header = "for (int " + v + " = 0; " + v + " < " + limit + "; " + v + " += " + Int(step) + ")";
                    direct = zeroBased;
                    break;
                case 4:
                    _tags.Add("for-down");
                    header = "for (int " + v + " = " + (over is null ? limit + " - 1" : minusOne ? len + " - 2" : len + " - 1") + "; " + v + " >= 0; " + v + (Chance(0.6) ? "--)" : " -= " + Int(step) + ")");
                    direct = zeroBased;
                    break;
                case 5:
                    _tags.Add("for-down-step");
                    header = "for (int " + v + " = " + limit + "; " + v + " > 0; " + v + (Chance(0.5) ? "--)" : " -= " + Int(step) + ")");
                    direct = oneBased;
                    break;
                case 6:
                {
                    Line("int " + v + " = 0;");
                    _scopes[^1].Add(counter);
                    string cond = v + " < " + limit;
                    if (Chance(0.3))
                    {
                        _tags.Add("while-value-cond");
                        _inLoopCondition = !_f.TernaryInLoopConditions;
                        cond += " && (" + Condition(1) + ")";
                        _inLoopCondition = false;
                    }

                    // A pattern that declares a variable after && (stop 31's red-team: its derivative was dropped), bound to a
                    // varied local. Chosen from the counter's name, not the random stream, so that every other production
                    // draws what it drew before (the default run's coverage depends on it).
                    int pick = (v[^1] * 7) + v.Length;
                    if (pick % 10 < 4 && Visible.Where(l => !l.IsData && !l.IsRef && !l.IsInt && !l.IsFloat).ElementAtOrDefault(pick % 3) is { } bound)
                    {
                        _tags.Add("while-pattern-var");
                        patternLocal = new Local { Name = NewName("p"), Bound = bound.Bound, Pinned = true };
                        cond += " && " + bound.Name + (pick % 2 == 0 ? " is var " : " is > -1e300 and var ") + patternLocal.Name;
                    }

                    _tags.Add("while");
                    header = "while (" + cond + ")";
                    countsAtTop = true;
                    direct = oneBased;
                    break;
                }

                case 7:
                    _tags.Add("do");
                    Line("int " + v + " = 0;");
                    _scopes[^1].Add(counter);
                    header = "do";
                    footer = "while (" + v + " < " + limit + ");";
                    countsAtTop = true;
                    direct = over is null ? Array.Empty<string>() : new[] { v + " - 1" };
                    break;
                default:
                {
                    _tags.Add(foreachArray!.IsLocal ? "foreach-local" : "foreach");
                    element = new Local { Name = NewName("e"), Bound = foreachArray.Bound, IsData = foreachArray.IsData, Pinned = true };
                    header = "foreach (" + (Chance(0.5) ? "double " : "var ") + element.Name + " in " + foreachArray.Name + ")";
                    break;
                }
            }

            Line(header);
            Line("{");
            _indent++;
            _loopScopes.Add(_scopes.Count);
            _scopes.Add(new List<Local>());
            if (patternLocal is not null)
            {
                _scopes[^1].Add(patternLocal);
            }

            if (element is not null)
            {
                _scopes[^1].Add(element);
            }
            else
            {
                if (form < 6)
                {
                    _scopes[^1].Add(counter);
                }

                _loopVars.Add(new LoopVar(v, over, direct));
            }

            if (countsAtTop)
            {
                Line(v + "++;");
            }


            bool updateFirst = update is not null && Chance(0.25);
            if (updateFirst)
            {
                foreach (var line in update!())
                {
                    Line(line);
                }
            }

            // Small bodies: generated code grows with every statement inside a loop (taped values, reverse loops).
            int statements = update is null ? 1 + _rng.Next(2) : _rng.Next(2);
            bool returned = false;
            for (int i = 0; i < statements && !returned; i++)
            {
                returned = Statement();
            }

            if (!returned && !updateFirst && update is not null)
            {
                foreach (var line in update())
                {
                    Line(line);
                }
            }

            if (element is null)
            {
                _loopVars.RemoveAt(_loopVars.Count - 1);
            }

            PopScope();
            _loopScopes.RemoveAt(_loopScopes.Count - 1);
            _indent--;
            Line("}");
            if (footer is not null)
            {
                Line(footer);
            }

            _loopResults.AddRange(results);
            return false;
        }

        /// <summary>
        /// A local array (new double[n] or stackalloc), declared outside loops, filled by one loop and, sometimes,
        /// overwritten element by element over a few passes; then read anywhere after (and written in other loops).
        /// </summary>
        private void LocalArray()
        {
            _tags.Add("local-array");
            string name = NewName("h");
            var ints = Visible.Where(l => l.IsParameter && l.Name is "k" or "n").ToList();
            var paramArrays = _arrays.Where(a => !a.IsLocal).ToList();
            string size;
            int lengthBound;
            switch (_rng.Next(3))
            {
                case 0 when paramArrays.Count > 0:
                {
                    var a = Pick(paramArrays);
                    size = a.Name + ".Length";
                    lengthBound = a.LengthBound;
                    break;
                }

                case 1 when ints.Count > 0:
                    size = Pick(ints).Name + " % 4 + 1";
                    lengthBound = 4;
                    break;
                default:
                    lengthBound = 2 + _rng.Next(4);
                    size = Int(lengthBound);
                    break;
            }

            bool stack = Chance(0.5);
            if (stack)
            {
                _tags.Add("stackalloc");
            }

            Line(stack ? "Span<double> " + name + " = stackalloc double[" + size + "];" : "double[] " + name + " = new double[" + size + "];");
            var array = new ArrayInfo { Name = name, Type = stack ? "Span<double>" : "double[]", IsLocal = true, IsSpan = stack, StackScoped = stack, Bound = 3, LengthBound = lengthBound };
            _arrays.Add(array);

            // Fill: h[i] = f(i, ...), in either direction.
            _tags.Add("array-fill");
            string i = NewName("i");
            Line(Chance(0.7)
                ? "for (int " + i + " = 0; " + i + " < " + name + ".Length; " + i + "++)"
                : "for (int " + i + " = " + name + ".Length - 1; " + i + " >= 0; " + i + "--)");
            OpenLoopBody(new LoopVar(i, array, new[] { i, name + ".Length - 1 - " + i }));
            if (Chance(0.3))
            {
                Statement();
            }

            Line(name + "[" + i + "] = " + Bounded(Expr(Depth()), array.Bound).Text + ";");
            CloseLoopBody();

            // A copy between overlapping parts of the array (a shift by one either way, or the front half to the back):
            // .NET copies as memmove does. Its choices come from a generator of their own, so that the programs of a seed
            // stay as they were.
            var copySide = new Random(StableSeed(_name + "/" + name + "/copy"));
            if (copySide.NextDouble() < 0.3)
            {
                _tags.Add("shift-copy");
                string length = name + ".Length";
                var (from, to, count) = copySide.Next(4) switch
                {
                    0 or 1 => ("0", "1", length + " - 1"),
                    2 => ("1", "0", length + " - 1"),
                    _ => ("0", length + " - " + length + " / 2", length + " / 2"),
                };
                if (to == "1")
                {
                    // The first element made to differ from the others (a fill is often the same for every i): a copy
                    // first to last would spread it over the whole array.
                    Line(name + "[0] *= 0.5;");
                }

                string view = stack ? ".Slice(" : ".AsSpan(";
                Line(!stack && copySide.Next(2) == 0
                    ? "Array.Copy(" + name + ", " + from + ", " + name + ", " + to + ", " + count + ");"
                    : name + view + from + ", " + count + ").CopyTo(" + name + view + to + "));");
            }

            if (Chance(0.5))
            {
                // Passes that overwrite every element from its old value and its neighbours.
                _tags.Add("array-passes");
                string pass = NewName("i");
                Line("for (int " + pass + " = 0; " + pass + " < " + Int(1 + _rng.Next(3)) + "; " + pass + "++)");
                OpenLoopBody(new LoopVar(pass, null, Array.Empty<string>()));
                string j = NewName("i");
                Line("for (int " + j + " = 0; " + j + " < " + name + ".Length; " + j + "++)");
                OpenLoopBody(new LoopVar(j, array, new[] { j, name + ".Length - 1 - " + j }));
                var m = Bounded(Expr(2), 1);
                var other = Bounded(Chance(0.6) ? ArrayRead(array) : Expr(Depth() - 1), 3);
                var e = new Ex(Fn(Pick(new[] { "Sin", "Tanh" })) + "(" + name + "[" + j + "]) * " + m.P + " + " + other.P, m.Bound + other.Bound);
                Line(name + "[" + j + "] = " + Bounded(e, array.Bound).Text + ";");
                CloseLoopBody();
                CloseLoopBody();
            }

            if (_f.InPlaceUpdates && Chance(0.4))
            {
                // h[j] += m · h[i] (or m · e, e of size 1) over the triangle j > i: each element grows at most by a factor (1 + 1/L)^L < e (plus 1).
                _tags.Add("array-update");
                string ti = NewName("i");
                string tj = NewName("i");
                var sources = _arrays.Where(a => !a.IsLocal).ToList();

                // A running offset into another array, advanced in the inner loop and carried to the next row (ADBench's
                // packed triangle `icf[li++]`): the reverse takes it back instead of storing it.
                // Its choices come from a generator of their own, so that the programs of a seed stay as they were.
                var side = new Random(StableSeed(_name + "/" + name));
                string? offset = sources.Count > 0 && side.NextDouble() < 0.5 ? NewName("i") : null;
                int offsetStep = 1 + side.Next(2);
                if (offset is not null)
                {
                    _tags.Add("running-offset");
                    Line("int " + offset + " = " + Int(side.Next(3)) + ";");
                }

                Line("for (int " + ti + " = 0; " + ti + " < " + name + ".Length; " + ti + "++)");
                OpenLoopBody(new LoopVar(ti, array, new[] { ti }));
                Line("for (int " + tj + " = " + ti + " + 1; " + tj + " < " + name + ".Length; " + tj + "++)");
                OpenLoopBody(new LoopVar(tj, array, new[] { tj }));
                var m = Bounded(Expr(1), 1.0 / Math.Max(1, lengthBound));
                string other = _rng.Next(3) switch
                {
                    0 => name + "[" + ti + "]",
                    1 when sources.Count > 0 => Bounded(ArrayRead(Pick(sources)), 1).P,
                    _ => Bounded(Expr(Math.Max(1, Depth() - 1)), 1).P,
                };
                if (offset is not null && side.Next(3) > 0)
                {
                    var source = sources[side.Next(sources.Count)];
                    other = Bounded(new Ex(source.Name + "[" + offset + " % " + source.Name + ".Length]", source.Bound, Atom: true), 1).P;
                }

                Line(name + "[" + tj + "] += " + m.P + " * " + other + ";");
                if (offset is not null)
                {
                    Line(offsetStep == 1 ? offset + "++;" : offset + " += " + Int(offsetStep) + ";");
                }

                CloseLoopBody();
                CloseLoopBody();
                array.Bound = (array.Bound * Math.E) + 1;
            }
        }

        private void OpenLoopBody(LoopVar v)
        {
            Line("{");
            _indent++;
            _loopScopes.Add(_scopes.Count);
            _scopes.Add(new List<Local> { new Local { Name = v.Name, Bound = 8, IsData = true, IsInt = true, Pinned = true } });
            _loopVars.Add(v);
        }

        private void CloseLoopBody()
        {
            _loopVars.RemoveAt(_loopVars.Count - 1);
            PopScope();
            _loopScopes.RemoveAt(_loopScopes.Count - 1);
            _indent--;
            Line("}");
        }

        /// <summary>An element of a local array overwritten inside a loop (state carried across iterations and passes).</summary>
        private void WriteElement(ArrayInfo array)
        {
            _tags.Add("array-write");
            string index = Index(array);
            Line(array.Name + "[" + index + "] = " + Bounded(Expr(Depth()), array.Bound).Text + ";");
        }

        private void BreakOrContinue()
        {
            string keyword = Chance(0.5) ? "break" : "continue";
            _tags.Add(keyword);
            string cond = _loopVars.Count > 0 && Chance(0.4) ? IndexCondition() : Condition(1);
            Line("if (" + cond + ")");
            Line("{");
            Line("    " + keyword + ";");
            Line("}");
        }

        private string IndexCondition()
        {
            _tags.Add("cmp-index");
            string v = Pick(_loopVars).Name;
            return Pick(new[] { v + " % 2 == 0", v + " > 1", v + " == 2", v + " % 3 != 1", v + " < 3", v + " >= 4" });
        }

        /// <summary>An index expression that is in range for <paramref name="array"/> whatever its length (at least 1).</summary>
        private string Index(ArrayInfo array)
        {
            string len = array.Name + ".Length";
            var loopBased = new List<(string Tag, string Index)>();
            foreach (var v in _loopVars)
            {
                loopBased.Add(("index-mod", v.Name + " % " + len));
                loopBased.Add(("index-affine", "(" + v.Name + " * 3 + 1) % " + len));
                loopBased.Add(("index-reverse", len + " - 1 - " + v.Name + " % " + len));
                if (v.Over == array)
                {
                    foreach (var d in v.Direct)
                    {
                        var tag = d == v.Name ? "index-direct" : "index-neighbor";
                        loopBased.Add((tag, d));
                        loopBased.Add((tag, d));
                        loopBased.Add((tag, d));
                    }
                }
            }

            if (_loopVars.Count >= 2)
            {
                loopBased.Add(("index-two-vars", "(" + _loopVars[^2].Name + " + " + _loopVars[^1].Name + ") % " + len));
            }

            (string Tag, string Index) pick;
            if (loopBased.Count > 0 && Chance(0.85))
            {
                pick = Pick(loopBased);
            }
            else
            {
                var other = new List<(string Tag, string Index)> { ("index-const", "0"), ("index-last", len + " - 1") };
                foreach (var k in Visible.Where(l => l.IsParameter && l.Name is "k" or "n"))
                {
                    other.Add(("index-int", k.Name + " % " + len));
                }

                pick = Pick(other);
            }

            _tags.Add(pick.Tag);
            return pick.Index;
        }

        private Ex ArrayRead(ArrayInfo array)
        {
            if (array.IsData)
            {
                _tags.Add("array-read-data");
            }

            return new Ex(array.Name + "[" + Index(array) + "]", array.Bound, Atom: true);
        }

        /// <summary>Declared outside the innermost loop: its value is carried from one iteration to the next.</summary>
        private bool IsCarried(Local l)
        {
            if (LoopDepth == 0)
            {
                return false;
            }

            for (int s = _loopScopes[^1]; s < _scopes.Count; s++)
            {
                if (_scopes[s].Contains(l))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// Assigns a loop-carried variable: only forms that keep |value| under its bound whatever the trip count
        /// (overwritten state squashed to the bound, products with factors in (0, 1), divisions by at least 1).
        /// </summary>
        private void CarriedAssign(Local target, string? via = null)
        {
            switch (_rng.Next(4))
            {
                case 0:
                case 1:
                {
                    _tags.Add("carried-overwrite");
                    _tags.Add(target.IsParameter ? "assign-param" : "assign");
                    var e = NoCopy(Bounded(Expr(Depth()), Math.Max(target.Bound, 1)));
                    target.Bound = Math.Max(target.Bound, e.Bound);
                    Line((via ?? target.Name) + " = " + e.Text + ";");
                    break;
                }

                case 2:
                {
                    _tags.Add("carried-shrink");
                    _tags.Add("*=");
                    var e = Expr(_f.MaxDepth - 1);
                    Line((via ?? target.Name) + " *= 0.5 + 0.5 * " + Fn("Tanh") + "(" + e.Text + ");");
                    break;
                }

                default:
                {
                    _tags.Add("carried-shrink");
                    _tags.Add("/=");
                    var e = Expr(_f.MaxDepth - 1);
                    Line((via ?? target.Name) + " /= " + Num(Pick(new[] { 1.0, 2.0 })) + " + " + e.P + " * " + e.P + ";");
                    break;
                }
            }
        }

        private void Assign(Local target, string? via = null)
        {
            if (_functions.Count > 0)
            {
                _tags.Add("captured-reassigned");
            }

            if (IsCarried(target))
            {
                CarriedAssign(target, via);
                return;
            }

            int kind = _rng.Next(9);
            if (target.Bound > BoundLimit && kind is 2 or 6 or 7 or 8)
            {
                kind = 3;
            }

            switch (kind)
            {
                case 0:
                case 1:
                {
                    var e = NoCopy(Expr(Depth()));
                    _tags.Add(target.IsParameter ? "assign-param" : "assign");
                    target.Bound = Math.Max(target.Bound, e.Bound);
                    Line((via ?? target.Name) + " = " + e.Text + ";");
                    break;
                }

                case 2:
                {
                    var e = Expr(_f.MaxDepth - 1);
                    _tags.Add("+=");
                    target.Bound += e.Bound;
                    Line((via ?? target.Name) + " += " + e.Text + ";");
                    break;
                }

                case 3:
                {
                    var e = Expr(_f.MaxDepth - 1);
                    _tags.Add("/=");
                    double c = Pick(new[] { 1.0, 0.5, 2.0 });
                    Line((via ?? target.Name) + " /= " + Num(c) + " + " + e.P + " * " + e.P + ";");
                    target.Bound /= c;
                    break;
                }

                case 4:
                case 5:
                {
                    var e = Expr(_f.MaxDepth - 1);
                    _tags.Add("-=");
                    target.Bound += e.Bound;
                    Line((via ?? target.Name) + " -= " + e.Text + ";");
                    break;
                }

                case 6:
                {
                    var e = Bounded(Expr(_f.MaxDepth - 1), 2);
                    _tags.Add("*=");
                    target.Bound *= e.Bound;
                    Line((via ?? target.Name) + " *= " + e.Text + ";");
                    break;
                }

                case 7:
                    _tags.Add("++");
                    target.Bound += 1;
                    Line(Chance(0.5) ? (via ?? target.Name) + "++;" : "++" + (via ?? target.Name) + ";");
                    break;
                default:
                    _tags.Add("--");
                    target.Bound += 1;
                    Line(Chance(0.5) ? (via ?? target.Name) + "--;" : "--" + (via ?? target.Name) + ";");
                    break;
            }
        }

        private bool If()
        {
            _tags.Add(_branchNesting > 0 ? "nested-if" : "if");
            if (LoopDepth > 0)
            {
                _tags.Add("branch-in-loop");
            }

            _branchNesting++;
            Line("if (" + Condition(2) + ")");
            Line("{");
            bool thenReturns = Block(1 + _rng.Next(2), allowReturn: true);
            Line("}");
            bool elseReturns = false;
            if (Chance(0.6))
            {
                _tags.Add("if-else");
                Line("else");
                Line("{");
                elseReturns = Block(1 + _rng.Next(2), allowReturn: true);
                Line("}");
            }

            _branchNesting--;
            return thenReturns && elseReturns;
        }

        private string Condition(int depth)
        {
            if (_f.Switches && Chance(0.08))
            {
                return PatternCondition();
            }

            int c = _rng.Next(depth > 0 ? 10 : 6);
            switch (c)
            {
                case 0:
                case 1:
                case 2:
                {
                    var l = Expr(1);
                    var r = Chance(0.5) ? Expr(1) : Const();
                    return l.Text + " " + Pick(new[] { "<", ">", "<=", ">=" }) + " " + r.Text;
                }

                case 3:
                {
                    if (_loopVars.Count > 0 && Chance(0.6))
                    {
                        return IndexCondition();
                    }

                    var ints = Visible.Where(l => l.IsParameter && l.Name is "k" or "n").ToList();
                    if (ints.Count > 0)
                    {
                        _tags.Add("cmp-int");
                        return Pick(ints).Name + " " + Pick(new[] { ">", "<", "==", "!=", ">=" }) + " " + _rng.Next(4).ToString(CultureInfo.InvariantCulture);
                    }

                    goto case 0;
                }

                case 4:
                {
                    var data = Visible.Where(l => l.IsParameter && l.Name is "a" or "b").ToList();
                    if (data.Count > 0)
                    {
                        _tags.Add("cmp-data");
                        return Pick(data).Name + " " + Pick(new[] { "<", ">" }) + " " + Expr(1).Text;
                    }

                    goto case 0;
                }

                case 5:
                    _tags.Add("IsFinite");
                    return Chance(0.5) ? "double.IsFinite(" + Expr(1).Text + ")" : "!double.IsNaN(" + Expr(1).Text + ")";
                case 6:
                case 7:
                    _tags.Add("&&");
                    return "(" + Condition(depth - 1) + ") && (" + Condition(depth - 1) + ")";
                case 8:
                    _tags.Add("||");
                    return "(" + Condition(depth - 1) + ") || (" + Condition(depth - 1) + ")";
                default:
                    _tags.Add("!");
                    return "!(" + Condition(depth - 1) + ")";
            }
        }

        /// <summary>A leaf: a variable, a constant, data. Extension point: array reads go here.</summary>
        private Ex Leaf()
        {
            if (_arrays.Count > 0 && Chance(0.3))
            {
                return ArrayRead(Pick(_arrays));
            }

            var vars = Visible.ToList();
            int c = _rng.Next(10);
            if (c < 8 && vars.Count > 0)
            {
                // Prefer differentiable variables, so most expressions depend on the parameters.
                var diff = vars.Where(v => !v.IsData).ToList();
                var v = diff.Count > 0 && Chance(0.85) ? Pick(diff) : Pick(vars);
                if (v.IsData)
                {
                    _tags.Add(v.IsInt ? "loop-index" : v.Name is "k" or "n" ? "int" : "data");
                }

                // An int parameter is cast, so that Math.Abs, Math.Round... resolve to their double overloads.
                if (v.IsFloat)
                {
                    _tags.Add("float-local");
                    _usesFloat = true;
                }

                return new Ex((v.Name is "k" or "n" && v.IsParameter) || v.IsFloat || v.IsInt ? "(double)" + v.Name : v.Name, v.Bound, Atom: true);
            }

            return Const();
        }

        /// <summary>An expression of data only (constants, [NoDerivative] and int parameters): for [NoDerivative] arguments.</summary>
        private Ex DataExpr(int depth)
        {
            var data = Visible.Where(l => l.IsParameter && l.IsData).ToList();
            if (depth <= 0 || Chance(0.3))
            {
                if (data.Count > 0 && Chance(0.6))
                {
                    var d = Pick(data);
                    return new Ex(d.Name is "k" or "n" ? "(double)" + d.Name : d.Name, d.Bound, Atom: true);
                }

                return Const();
            }

            var l = DataExpr(depth - 1);
            var r = DataExpr(depth - 1);
            return _rng.Next(4) switch
            {
                0 => new Ex(l.Text + " + " + r.Text, l.Bound + r.Bound),
                1 => new Ex(l.Text + " - " + r.P, l.Bound + r.Bound),
                2 => Bounded(new Ex(l.P + " * " + r.P, l.Bound * r.Bound), ArgumentBound),
                _ => new Ex(Fn("Sin") + "(" + l.Text + ")", 1, Atom: true),
            };
        }

        private string Fn(string name)
        {
            // Math has no Hypot: it is double.Hypot / float.Hypot only.
            bool useDouble = name == "Hypot" || Chance(0.35);
            _tags.Add(useDouble ? "double." : "Math.");
            return (useDouble ? "double." : "Math.") + name;
        }

        /// <summary>Squashes <paramref name="e"/> into [-limit, limit] when its bound is larger.</summary>
        private Ex Bounded(Ex e, double limit)
        {
            if (e.Bound <= limit)
            {
                return e;
            }

            _tags.Add("Tanh");
            return new Ex(Num(limit) + " * " + Fn("Tanh") + "(" + e.P + " * " + (1.0 / e.Bound).ToString("G4", CultureInfo.InvariantCulture) + ")", limit);
        }

        private Ex Sub(int depth) => Expr(depth - 1);

        /// <summary>(e) * (e) with e a fresh sub-expression: a non-negative value.</summary>
        private Ex Square(int depth, out double bound)
        {
            var e = Bounded(Expr(depth - 2), 6);
            bound = e.Bound * e.Bound;
            return new Ex(e.P + " * " + e.P, bound);
        }

        public Ex Expr(int depth)
        {
            if (depth <= 0 || Chance(0.35))
            {
                return Leaf();
            }

            var e = Operation(depth);
            return Bounded(e, BoundLimit);
        }

        private Ex Call1(string fn, Ex arg, double bound) => new(Fn(fn) + "(" + arg.Text + ")", bound, Atom: true);

        private Ex Operation(int depth)
        {
            int op = _rng.Next(64);
            if (op >= 56)
            {
                return NewOperation(depth) ?? Operation(depth);
            }

            switch (op)
            {
                case 0:
                case 1:
                case 2:
                {
                    _tags.Add("add");
                    var l = Sub(depth);
                    var r = Sub(depth);
                    return new Ex(l.Text + " + " + r.Text, l.Bound + r.Bound);
                }

                case 3:
                case 4:
                {
                    _tags.Add("sub");
                    var l = Sub(depth);
                    var r = Sub(depth);
                    return new Ex(l.Text + " - " + r.P, l.Bound + r.Bound);
                }

                case 5:
                case 6:
                case 7:
                {
                    _tags.Add("mul");
                    var l = Sub(depth);
                    var r = Sub(depth);
                    return new Ex(l.P + " * " + r.P, l.Bound * r.Bound);
                }

                case 8:
                case 9:
                {
                    _tags.Add("div");
                    var l = Sub(depth);
                    switch (_rng.Next(4))
                    {
                        case 0:
                        {
                            var s = Square(depth, out _);
                            double c = Pick(new[] { 1.0, 0.5, 2.0 });
                            return new Ex(l.P + " / (" + Num(c) + " + " + s.Text + ")", l.Bound / c);
                        }

                        case 1:
                        {
                            var r = Sub(depth);
                            return new Ex(l.P + " / (2.0 + " + Fn("Sin") + "(" + r.Text + "))", l.Bound);
                        }

                        case 2:
                        {
                            var c = Const();
                            return new Ex(l.P + " / " + c.P, l.Bound / Math.Max(0.1, c.Bound));
                        }

                        default:
                        {
                            var r = Sub(depth);
                            return new Ex(l.P + " / (1.0 + " + Fn("Abs") + "(" + r.Text + "))", l.Bound);
                        }
                    }
                }

                case 10:
                {
                    _tags.Add("mod");
                    var l = Sub(depth);
                    if (Chance(0.5))
                    {
                        double c = Pick(new[] { 1.5, 2.0, 0.75 });
                        return new Ex(l.P + " % " + Num(c), c);
                    }

                    var s = Square(depth, out double sb);
                    return new Ex(l.P + " % (1.5 + " + s.Text + ")", 1.5 + sb);
                }

                case 11:
                {
                    _tags.Add("neg");
                    var e = Sub(depth);
                    return new Ex("-" + e.P, e.Bound);
                }

                case 12:
                {
                    _tags.Add("Exp");
                    var e = Sub(depth);
                    return e.Bound <= 3
                        ? Call1("Exp", e, Math.Exp(e.Bound))
                        : new Ex(Fn("Exp") + "(3.0 * " + Fn("Tanh") + "(" + e.Text + "))", Math.Exp(3), Atom: true);
                }

                case 13:
                {
                    _tags.Add("Log");
                    var s = Square(depth, out double sb);
                    string c = Pick(new[] { "1.0", "0.5", "2.0" });
                    return Call1("Log", new Ex(c + " + " + s.Text, 0), Math.Max(1, Math.Log(2 + sb)));
                }

                case 14:
                {
                    _tags.Add("Log2arg");
                    var s = Square(depth, out double sb);
                    if (Chance(0.5))
                    {
                        return new Ex(Fn("Log") + "(1.0 + " + s.Text + ", " + Num(Pick(new[] { 2.0, 3.0, 0.5, 10.0 })) + ")", Math.Log(1 + sb) / Math.Log(2) + 1, Atom: true);
                    }

                    var b = Square(depth, out _);
                    return new Ex(Fn("Log") + "(0.5 + " + s.Text + ", 2.0 + " + b.Text + ")", Math.Log(1 + sb) / Math.Log(2) + 1, Atom: true);
                }

                case 15:
                case 16:
                {
                    string fn = op == 15 ? "Log10" : "Log2";
                    _tags.Add(fn);
                    var s = Square(depth, out double sb);
                    return Call1(fn, new Ex("1.0 + " + s.Text, 0), Math.Log2(2 + sb));
                }

                case 17:
                {
                    _tags.Add("Sqrt");
                    var s = Square(depth, out double sb);
                    return Call1("Sqrt", new Ex(s.Text + " + 0.5", 0), Math.Sqrt(sb + 0.5));
                }

                case 18:
                {
                    _tags.Add("Cbrt");
                    var e = Sub(depth);
                    if (Chance(0.5))
                    {
                        return Call1("Cbrt", new Ex("2.0 + " + Fn("Tanh") + "(" + e.Text + ")", 0), 1.5);
                    }

                    var s = Square(depth, out double sb);
                    return Call1("Cbrt", new Ex("-1.0 - " + s.Text, 0), Math.Cbrt(1 + sb));
                }

                case 19:
                {
                    _tags.Add("Pow(x,c)");
                    switch (_rng.Next(3))
                    {
                        case 0:
                        {
                            var e = Bounded(Sub(depth), 5);
                            return new Ex(Fn("Pow") + "(" + e.Text + ", 2.0)", e.Bound * e.Bound, Atom: true);
                        }

                        case 1:
                        {
                            var e = Bounded(Sub(depth), 3);
                            return new Ex(Fn("Pow") + "(" + e.Text + ", 3)", Math.Pow(e.Bound, 3), Atom: true);
                        }

                        default:
                        {
                            var s = Square(depth, out double sb);
                            double c = Pick(new[] { 0.7, -1.5, 1.3, -0.5, 2.5 });
                            double b = c > 0 ? Math.Pow(1 + sb, c) : Math.Pow(0.5, c);
                            return new Ex(Fn("Pow") + "(0.5 + " + s.Text + ", " + Num(c) + ")", b, Atom: true);
                        }
                    }
                }

                case 20:
                {
                    _tags.Add("Pow(c,x)");
                    var e = Bounded(Sub(depth), 3);
                    double c = Pick(new[] { 1.7, 0.6, 2.0, 3.0 });
                    return new Ex(Fn("Pow") + "(" + Num(c) + ", " + e.Text + ")", Math.Pow(Math.Max(c, 1 / c), e.Bound), Atom: true);
                }

                case 21:
                {
                    _tags.Add("Pow(x,y)");
                    var b = Sub(depth);
                    var e = Bounded(Sub(depth), 3);
                    return new Ex(Fn("Pow") + "(1.5 + " + Fn("Sin") + "(" + b.Text + "), " + e.Text + ")", Math.Pow(2.5, e.Bound) + Math.Pow(2, e.Bound), Atom: true);
                }

                case 22:
                case 23:
                {
                    string fn = op == 22 ? "Sin" : "Cos";
                    _tags.Add(fn);
                    return Call1(fn, Bounded(Sub(depth), 6), 1);
                }

                case 24:
                {
                    _tags.Add("Tan");
                    return new Ex(Fn("Tan") + "(1.2 * " + Fn("Tanh") + "(" + Sub(depth).Text + "))", 2.6, Atom: true);
                }

                case 25:
                {
                    _tags.Add("Asin");
                    return new Ex(Fn("Asin") + "(0.9 * " + Fn("Tanh") + "(" + Sub(depth).Text + "))", 1.2, Atom: true);
                }

                case 26:
                {
                    _tags.Add("Acos");
                    return new Ex(Fn("Acos") + "(0.8 * " + Fn("Sin") + "(" + Sub(depth).Text + "))", 2.5, Atom: true);
                }

                case 27:
                {
                    _tags.Add("Atan");
                    return Call1("Atan", Sub(depth), 1.6);
                }

                case 28:
                {
                    _tags.Add("Atan2");
                    var e = Sub(depth);
                    var s = Square(depth, out _);
                    return Chance(0.5)
                        ? new Ex(Fn("Atan2") + "(" + e.Text + ", 1.0 + " + s.Text + ")", 1.6, Atom: true)
                        : new Ex(Fn("Atan2") + "(0.5 + " + s.Text + ", " + e.Text + ")", 3.2, Atom: true);
                }

                case 29:
                case 30:
                {
                    string fn = op == 29 ? "Sinh" : "Cosh";
                    _tags.Add(fn);
                    var e = Sub(depth);
                    return e.Bound <= 3
                        ? Call1(fn, e, Math.Cosh(e.Bound))
                        : new Ex(Fn(fn) + "(2.0 * " + Fn("Tanh") + "(" + e.Text + "))", Math.Cosh(2), Atom: true);
                }

                case 31:
                    _tags.Add("Tanh");
                    return Call1("Tanh", Sub(depth), 1);
                case 32:
                {
                    _tags.Add("Asinh");
                    var e = Sub(depth);
                    return Call1("Asinh", e, Math.Asinh(e.Bound) + 0.1);
                }

                case 33:
                {
                    _tags.Add("Acosh");
                    var s = Square(depth, out double sb);
                    return Call1("Acosh", new Ex("1.5 + " + s.Text, 0), Math.Acosh(1.5 + sb));
                }

                case 34:
                    _tags.Add("Atanh");
                    return new Ex(Fn("Atanh") + "(0.9 * " + Fn("Tanh") + "(" + Sub(depth).Text + "))", 1.5, Atom: true);
                case 35:
                {
                    _tags.Add("Abs");
                    var e = Sub(depth);
                    return Call1("Abs", e, e.Bound);
                }

                case 36:
                case 37:
                {
                    string fn = op == 36 ? "Max" : "Min";
                    _tags.Add(fn);
                    var l = Sub(depth);
                    var r = Sub(depth);
                    return new Ex(Fn(fn) + "(" + l.Text + ", " + r.Text + ")", Math.Max(l.Bound, r.Bound), Atom: true);
                }

                case 38:
                {
                    _tags.Add("Clamp");
                    var e = Sub(depth);
                    switch (_rng.Next(3))
                    {
                        case 0:
                            return new Ex(Fn("Clamp") + "(" + e.Text + ", -1.0, 1.0)", 1, Atom: true);
                        case 1:
                        {
                            double lo = Pick(new[] { -2.0, -0.5, 0.0, 0.25 });
                            double hi = lo + Pick(new[] { 0.5, 1.0, 2.5 });
                            return new Ex(Fn("Clamp") + "(" + e.Text + ", " + Num(lo) + ", " + Num(hi) + ")", Math.Max(Math.Abs(lo), Math.Abs(hi)), Atom: true);
                        }

                        default:
                        {
                            // Differentiable bounds: lo <= -1 < 1 <= hi always, so Clamp never throws.
                            var lo = Square(depth, out double lb);
                            var hi = Square(depth, out double hb);
                            return new Ex(Fn("Clamp") + "(" + e.Text + ", -1.0 - " + lo.Text + ", 1.0 + " + hi.Text + ")", 1 + Math.Max(lb, hb), Atom: true);
                        }
                    }
                }

                case 39:
                {
                    _tags.Add("FusedMultiplyAdd");
                    var a = Sub(depth);
                    var b = Sub(depth);
                    var c = Sub(depth);
                    return new Ex(Fn("FusedMultiplyAdd") + "(" + a.Text + ", " + b.Text + ", " + c.Text + ")", a.Bound * b.Bound + c.Bound, Atom: true);
                }

                case 40:
                {
                    _tags.Add("Hypot");
                    var a = Sub(depth);
                    if (Chance(0.5))
                    {
                        var b = Sub(depth);
                        return new Ex(Fn("Hypot") + "(" + a.Text + ", " + b.Text + ")", a.Bound + b.Bound, Atom: true);
                    }

                    var s = Square(depth, out double sb);
                    return new Ex(Fn("Hypot") + "(" + a.Text + ", 0.5 + " + s.Text + ")", a.Bound + 0.5 + sb, Atom: true);
                }

                case 41:
                {
                    string fn = Pick(new[] { "Floor", "Ceiling", "Round", "Truncate" });
                    _tags.Add(fn);
                    var e = Sub(depth);
                    var r = Sub(depth);
                    // A step function: derivative zero; scaled down and added to something smooth.
                    return new Ex(Num(Pick(new[] { 0.5, 0.25, 1.0 })) + " * " + Fn(fn) + "(" + e.Text + ") + " + r.Text, e.Bound + 1 + r.Bound);
                }

                case 42:
                {
                    _tags.Add("Sign");
                    var e = Sub(depth);
                    var r = Sub(depth);
                    return new Ex(Fn("Sign") + "(" + e.Text + ") * " + r.P, r.Bound);
                }

                case 43 when _inLoopCondition:
                case 44 when _inLoopCondition:
                    return Operation(depth);
                case 43:
                case 44:
                {
                    _tags.Add("?:");
                    string cond = Condition(1);
                    var l = Sub(depth);
                    var r = Sub(depth);
                    return new Ex("(" + cond + " ? " + l.Text + " : " + r.Text + ")", Math.Max(l.Bound, r.Bound), Atom: true);
                }

                case 45:
                case 46:
                case 47:
                    return Call(depth) ?? Operation(depth);
                case 48:
                case 49:
                    // Rarer than the rest: float arithmetic makes the numeric reference float-accurate only.
                    return Chance(0.1) ? Float(depth) ?? Operation(depth) : Operation(depth);
                case 52:
                {
                    // A cast to int: an integer constant (derivative zero), a step function of e.
                    _tags.Add("(int)");
                    var e = Sub(depth);
                    var r = Sub(depth);
                    return new Ex("0.5 * (double)(int)" + e.P + " + " + r.Text, e.Bound / 2 + 1 + r.Bound);
                }

                case 53:
                {
                    // Pow with an exponent that is integer-valued but not a literal, on a base of either sign: the
                    // derivative with respect to the exponent (log of a negative base) must not leak a NaN.
                    _tags.Add("Pow(x,int)");
                    var e = Bounded(Sub(depth), 2);
                    var ints = Visible.Where(l => l.IsParameter && l.Name is "k" or "n").ToList();
                    string exponent = _rng.Next(4) switch
                    {
                        0 when ints.Count > 0 => "(double)" + Pick(ints).Name,
                        1 => Fn("Floor") + "(" + Fn("Clamp") + "(" + Sub(depth).Text + ", 1.0, 3.0))",
                        2 => "2.0 * 1.5",
                        _ => "Scale * 4.0",
                    };
                    double maxExponent = exponent.StartsWith("(double)", StringComparison.Ordinal) ? 4 + 6 : 3;
                    // Offset base: Pow(0, 0) (k = 0 after `x -= x`) has an undocumented derivative convention.
                    return Bounded(new Ex(Fn("Pow") + "(" + e.P + " + 0.0529, " + exponent + ")", Math.Pow(Math.Max(e.Bound, 1), maxExponent), Atom: true), BoundLimit);
                }

                case 54:
                {
                    // Atan2 anywhere: a jump of 2π on the negative x axis (a "kink" the checker must detect).
                    _tags.Add("Atan2");
                    var l = Sub(depth);
                    var r = Sub(depth);
                    // The odd offsets keep the documented singularity (NaN at the origin) away from structural zeros
                    // such as `x -= x`, where the true function is constant but the chain rule meets 0/0.
                    return new Ex(Fn("Atan2") + "(" + l.Text + " + 0.0371, " + r.Text + " - 0.0613)", 3.2, Atom: true);
                }

                case 55:
                {
                    // Cbrt and Log of a value that may come near zero (infinite slope only at one point).
                    var e = Bounded(Sub(depth), 6);
                    if (Chance(0.5))
                    {
                        _tags.Add("Cbrt");
                        return Call1("Cbrt", new Ex(e.P + " + 0.0437", 0), Math.Cbrt(e.Bound + 1)); // offset: see Atan2 below
                    }

                    _tags.Add("Log");
                    return Call1("Log", new Ex(e.P + " * " + e.P + " + 0.01", 0), Math.Log(e.Bound * e.Bound + 1));
                }

                default:
                {
                    // Data in the expression: an int parameter (int * double), a [NoDerivative] parameter.
                    var data = Visible.Where(l => l.IsParameter && l.IsData).ToList();
                    var e = Sub(depth);
                    if (data.Count == 0)
                    {
                        return new Ex(Const().P + " * " + e.P, 4 * e.Bound);
                    }

                    var d = Pick(data);
                    _tags.Add(d.Name is "k" or "n" ? "int" : "data");
                    return new Ex(d.Name + " * " + e.P, d.Bound * e.Bound);
                }
            }
        }

        /// <summary>
        /// Outside loop conditions, any callee; inside one (unless ArraysCreatedInLoopConditions), only callees that
        /// create no array, directly or through their own callees (inlined, their arrays would be created in the condition).
        /// </summary>
        private bool FitsALoopCondition(RandomMethod m)
        {
            if (!_inLoopCondition || _f.ArraysCreatedInLoopConditions)
            {
                return true;
            }

            var stack = new Stack<RandomMethod>();
            var seen = new HashSet<RandomMethod>();
            stack.Push(m);
            while (stack.Count > 0)
            {
                var x = stack.Pop();
                if (!seen.Add(x))
                {
                    continue;
                }

                if (CreatesArrays.Any(t => x.Source.Contains(t, StringComparison.Ordinal)))
                {
                    return false;
                }

                foreach (var c in x.Callees)
                {
                    stack.Push(c);
                }
            }

            return true;
        }

        private static readonly string[] CreatesArrays = { "new double", "new[]", "new []", "stackalloc", "ToArray", "Clone", "Select(", "Zip(", "..]", "[..", "new ReadOnlySpan", "new Span", "new (double", "([", ", [", "= [" };

        /// <summary>Code that creates an array, directly or through a callee that does (for local functions and lambdas).</summary>
        private bool MayCreateArrays(string text) =>
            CreatesArrays.Any(t => text.Contains(t, StringComparison.Ordinal))
            || _earlier.Any(m => text.Contains(m.Name + "(", StringComparison.Ordinal) && !CalleeFitsALoopCondition(m));

        private bool CalleeFitsALoopCondition(RandomMethod m)
        {
            bool saved = _inLoopCondition;
            _inLoopCondition = true;
            try
            {
                return FitsALoopCondition(m);
            }
            finally
            {
                _inLoopCondition = saved;
            }
        }

        private Ex? Call(int depth)
        {
            if (!_f.Calls)
            {
                return null;
            }

            var candidates = _earlier.Where(m => m.Level < _f.MaxLevel && m.IsScalar && !m.IsHelper && m.Callable && FitsALoopCondition(m)).ToList();
            if (candidates.Count == 0)
            {
                return null;
            }

            // Prefer recent methods, so the batch has long chains as well as leaves.
            var callee = candidates[Math.Max(0, candidates.Count - 1 - _rng.Next(Math.Min(candidates.Count, 30)))];
            _tags.Add("call");
            if (LoopDepth > 0)
            {
                _tags.Add("call-in-loop");
            }

            _callees.Add(callee);
            var args = callee.Parameters.Select(p => p.Kind switch
            {
                ParamKind.Diff => Bounded(Expr(depth - 2), ArgumentBound).Text,
                ParamKind.DataDouble => DataArgument(depth, callee),
                ParamKind.DiffStruct => StructArgument(depth),
                _ => IntArgument(),
            }).ToList();
            return new Ex(callee.Name + "(" + string.Join(", ", args) + ")", callee.OutputBound, Atom: true);
        }

        private string IntArgument()
        {
            if (_loopVars.Count > 0 && Chance(0.3))
            {
                return Pick(_loopVars).Name + " % 4";
            }

            var ints = Visible.Where(l => l.IsParameter && l.Name is "k" or "n").ToList();
            if (ints.Count > 0 && Chance(0.6))
            {
                var k = Pick(ints).Name;
                return Chance(0.5) ? k : k + " + 1";
            }

            return _rng.Next(5).ToString(CultureInfo.InvariantCulture);
        }

        private Ex? Float(int depth)
        {
            if (!_f.FloatMath)
            {
                return null;
            }

            _usesFloat = true;
            bool mathF = Chance(0.6);
            string F(string name)
            {
                _tags.Add(mathF ? "MathF" : "float.");
                return (mathF && name != "Hypot" ? "MathF." : "float.") + name;
            }

            var e = Bounded(Sub(depth), 6);
            switch (_rng.Next(6))
            {
                case 0:
                    _tags.Add("(float)");
                    return new Ex("(double)(float)" + e.P, e.Bound);
                case 1:
                    return new Ex("(double)" + F(Pick(new[] { "Sin", "Cos", "Tanh", "Atan" })) + "((float)" + e.P + ")", 1.6, Atom: true);
                case 2:
                    return new Ex("(double)" + F("Exp") + "(2.0f * " + F("Tanh") + "((float)" + e.P + "))", Math.Exp(2), Atom: true);
                case 3:
                    return new Ex("(double)" + F("Sqrt") + "((float)(" + e.P + " * " + e.P + " + 0.5))", e.Bound + 1, Atom: true);
                case 4:
                    return new Ex("(double)" + F("Log") + "(1.0f + (float)" + e.P + " * (float)" + e.P + ")", Math.Log(1 + e.Bound * e.Bound) + 1, Atom: true);
                default:
                {
                    var r = Bounded(Sub(depth), 6);
                    return new Ex("(double)" + F(Pick(new[] { "Max", "Min", "Hypot" })) + "((float)" + e.P + ", (float)" + r.P + ")", e.Bound + r.Bound, Atom: true);
                }
            }
        }
    }
}
