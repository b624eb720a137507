using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. Each is an error: a method that cannot be differentiated exactly
/// gets no gradient rather than a wrong one. Each says what is not supported and what to write instead, and is
/// documented in docs/diagnostics.md.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SymbolicGrad";
    // Help links: the package's RepositoryUrl (src/Directory.Build.props) + /blob/main/docs/diagnostics.md + #sgNNNN, the
    // anchor GitHub makes of the heading "## SGNNNN". The same page ships in the package (docs/diagnostics.md) for offline
    // reading. tests/SymbolicGrad.Package.Tests checks that this base matches RepositoryUrl and that every anchor exists.
    private const string HelpBase = "https://github.com/symbolicgrad/symbolicgrad/blob/main/docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor TypeNotPartial = Error(
        "SG0001",
        "The containing type must be partial",
        "'{0}' contains the [Differentiable] method '{1}' but is not partial; add 'partial' to '{0}' (and to every type that contains it) so the generator can add '{1}Gradient'");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "SG0002",
        "A [Differentiable] method must return a real number, or void with a results span",
        "'{0}' returns '{1}'; {2}");

    /// <summary>SG0002's advice when nothing more specific can be said.</summary>
    public const string ReturnTypeAdvice = "a [Differentiable] method must return double, float or a generic-math T constrained to IFloatingPointIeee754<T> (a scalar loss), or return void and write its results into a last Span<double> parameter (a vector-valued function)";

    public static readonly DiagnosticDescriptor AsyncMethod = Error(
        "SG0003",
        "A [Differentiable] method cannot be async",
        "'{0}' is async; a [Differentiable] method must be a plain synchronous computation: remove 'async' and compute the value directly");

    public static readonly DiagnosticDescriptor RefParameter = Error(
        "SG0004",
        "ref and out parameters are not supported",
        "Parameter '{0}' is passed by '{1}'; {2}");

    public const string RefParameterAdvice = "pass it by value or 'in' (the generated gradient returns derivatives through its own out parameters)";

    public const string OutParameterAdvice = "a [Differentiable] method returns one value, the one differentiated: compute a second output (an accuracy, a count, a prediction) in a method of its own that both can call, or return it from a helper the loss calls";

    public static readonly DiagnosticDescriptor NoBody = Error(
        "SG0005",
        "A [Differentiable] method needs a body",
        "'{0}' has no body (it is extern, or a partial declaration without an implementation); the generator differentiates the code in a method's body: implement the method in C#, or, for a native function, leave it without [Differentiable] and give it a [CustomDerivative] so that the methods calling it are differentiated");

    public static readonly DiagnosticDescriptor NotSupportedYet = Error(
        "SG0006",
        "Not supported yet",
        "{0} is not supported yet in a [Differentiable] method; {1}");

    public static readonly DiagnosticDescriptor OutputNameCollision = Error(
        "SG0007",
        "A gradient output's name collides with another name",
        "{0} would be named '{1}', which {2}; rename one of them");

    public static readonly DiagnosticDescriptor TryStatement = Error(
        "SG0010",
        "try/catch/finally is not supported",
        "Exception handling ('{0}') is not supported in a [Differentiable] method; move the try/catch to the caller and keep the differentiable computation free of it");

    public static readonly DiagnosticDescriptor LockStatement = Error(
        "SG0011",
        "lock is not supported",
        "'lock' is not supported in a [Differentiable] method; a differentiable function must be a pure computation: take the lock in the caller");

    public static readonly DiagnosticDescriptor GotoStatement = Error(
        "SG0012",
        "goto is not supported",
        "'{0}' is not supported in a [Differentiable] method; express the control flow with if/else, loops, break, continue and return");

    public static readonly DiagnosticDescriptor DynamicOperation = Error(
        "SG0013",
        "dynamic is not supported",
        "'{0}' uses dynamic; the generator must know every type at build time: use double, float or a concrete type");

    public static readonly DiagnosticDescriptor DelegateOperation = Error(
        "SG0014",
        "A delegate whose code is not known at build time",
        "'{0}' {1}; the generator differentiates code it can see: call a method, a local function or a lambda written in this method directly, and choose between them with if/else (if (c) y = F(x); else y = G(x)) rather than through a delegate");

    public static readonly DiagnosticDescriptor UnknownDerivative = Error(
        "SG0015",
        "Call to a method with no known derivative",
        "'{0}' receives a value that depends on the differentiated parameters, but its derivative is not known: {1}");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error(
        "SG0016",
        "Unsupported statement",
        "{0} is not supported in a [Differentiable] method; {1}");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error(
        "SG0017",
        "Unsupported expression",
        "'{0}' ({1}) is not supported in a [Differentiable] method; {2}");

    public static readonly DiagnosticDescriptor SideEffect = Error(
        "SG0018",
        "Writes outside the method are not supported",
        "'{0}' writes to {1}; a [Differentiable] method may only write its own locals, arrays it creates and its results span: {2}");

    public static readonly DiagnosticDescriptor TooComplex = Error(
        "SG0019",
        "Too large or too deeply nested",
        "'{0}' is too large or too deeply nested to differentiate: {1}; split it into helper methods");

    public static readonly DiagnosticDescriptor VirtualMethod = Error(
        "SG0020",
        "Virtual, abstract and interface methods cannot be differentiated",
        "'{0}' is {1}; its generated gradient would ignore the override that actually runs: make it non-virtual (or sealed), and call it from the virtual member if callers need dispatch");

    public static readonly DiagnosticDescriptor UnsupportedTarget = Error(
        "SG0021",
        "[Differentiable] on something that is not an ordinary method",
        "[Differentiable] on {0} is not supported; {1}");

    public static readonly DiagnosticDescriptor NothingToDifferentiate = Error(
        "SG0022",
        "Nothing to differentiate",
        "'{0}' has nothing to differentiate: {1}");

    public static readonly DiagnosticDescriptor UnsupportedContainer = Error(
        "SG0023",
        "The generator cannot add members here",
        "'{0}' cannot get generated members: {1}");

    public static readonly DiagnosticDescriptor Recursion = Error(
        "SG0024",
        "Recursive calls are not supported",
        "'{0}' is called recursively here ({1}); the generator differentiates helpers by inlining them, which a recursion would never finish: write the recursion as a loop");

    public static readonly DiagnosticDescriptor LostDerivative = Error(
        "SG0025",
        "A conversion would lose the derivative",
        "'{0}' converts a value that depends on the differentiated parameters through '{1}', which carries no derivative; compute with double or float (or use a constant here)");

    public static readonly DiagnosticDescriptor MemberCollision = Error(
        "SG0030",
        "A generated member collides with an existing one",
        "The generator would add '{0}' for '{1}', but {2}; rename the existing member or the [Differentiable] method");

    public static readonly DiagnosticDescriptor CompiledCalleeData = Error(
        "SG0031",
        "A compiled callee takes this argument as data",
        "'{0}' runs with a derivative given for it (a [CustomDerivative], or a [Differentiable] method of another assembly) and its parameter '{1}' is [NoDerivative], but the argument depends on the differentiated parameters, whose derivative through it would be lost; pass a value that does not, or make the parameter differentiable in '{0}' and its derivative method");

    public static readonly DiagnosticDescriptor TrainableMember = Error(
        "SG0032",
        "Unsupported [Trainable] member",
        "'{0}' is marked [Trainable] but {1}");

    public static readonly DiagnosticDescriptor CustomDerivative = Error(
        "SG0033",
        "Invalid custom derivative",
        "The custom derivative '{0}' of '{1}' {2}");

    public static readonly DiagnosticDescriptor SecondOrder = Error(
        "SG0034",
        "No second derivative here",
        "'{0}' asks for second derivatives (Hessian = true), but {1}");

    public static readonly DiagnosticDescriptor CalleeHasErrors = Error(
        "SG0035",
        "A called [Differentiable] method has errors",
        "'{0}' calls '{1}', which cannot be differentiated: {2}; fix '{1}' first (its own error is reported there)");

    public static readonly DiagnosticDescriptor HessianOnVectorValued = new(
        "SG0036",
        "Hessian = true has no effect on a vector-valued method",
        "'{0}' is vector-valued (it writes its results into '{1}'): it gets {0}Tangent, {0}Jacobian and {0}LeastSquares, and Hessian = true adds nothing; remove it, or return a double (for example ½‖r‖²) to get second derivatives",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "sg0036");

    public static readonly DiagnosticDescriptor DataParameterHoldsNumbers = new(
        "SG0037",
        "A parameter that holds numbers gets no derivative",
        "'{0}' ({1}) holds numbers but gets no derivative: it is read as data. The generator differentiates double and float parameters, arrays and spans of them, double[,], double[][] and structs or tuples of numbers. Mark '{0}' [NoDerivative] if it is data, or pass its values as {2} to differentiate them.",
        Category,
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        helpLinkUri: HelpBase + "sg0037");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "SG9999",
        "Internal generator error",
        "SymbolicGrad could not generate a gradient for '{0}': {1}. This is a bug in the generator; please report it with the method's code");

    private static readonly Dictionary<string, DiagnosticDescriptor> ByIdTable = typeof(DiagnosticDescriptors)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Select(f => f.GetValue(null))
        .OfType<DiagnosticDescriptor>()
        .ToDictionary(d => d.Id, StringComparer.Ordinal);

    public static IEnumerable<DiagnosticDescriptor> All => ByIdTable.Values.OrderBy(d => d.Id, StringComparer.Ordinal);

    public static DiagnosticDescriptor ById(string id) => ByIdTable[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
