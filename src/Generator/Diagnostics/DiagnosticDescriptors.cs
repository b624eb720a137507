using Microsoft.CodeAnalysis;

namespace SymbolicGrad.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. Each is an error: a method that cannot be differentiated exactly
/// gets no gradient rather than a wrong one. Documented one by one in docs/diagnostics.md.
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
        "A [Differentiable] method must return double or float",
        "'{0}' returns '{1}'; a [Differentiable] method must return double or float (a scalar loss)");

    public static readonly DiagnosticDescriptor AsyncMethod = Error(
        "SG0003",
        "A [Differentiable] method cannot be async",
        "'{0}' is async; a [Differentiable] method must be a plain synchronous computation: remove 'async' and compute the value directly");

    public static readonly DiagnosticDescriptor RefParameter = Error(
        "SG0004",
        "ref, out and in parameters are not supported",
        "Parameter '{0}' is passed by '{1}'; pass it by value (the generated gradient returns derivatives through its own out parameters)");

    public static readonly DiagnosticDescriptor NoBody = Error(
        "SG0005",
        "A [Differentiable] method needs a body",
        "'{0}' has no body (abstract, extern or a partial declaration); the generator differentiates the code in the body");

    public static readonly DiagnosticDescriptor NotSupportedYet = Error(
        "SG0006",
        "Not supported yet",
        "{0} is not supported yet in a [Differentiable] method; {1}");

    public static readonly DiagnosticDescriptor OutputNameCollision = Error(
        "SG0007",
        "A parameter's name collides with a gradient output",
        "The gradient output for parameter '{0}' would be named '{1}', which is already a parameter's name; rename one of them");

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
        "goto and labels are not supported",
        "'{0}' is not supported in a [Differentiable] method; express the control flow with if/else and return");

    public static readonly DiagnosticDescriptor DynamicOperation = Error(
        "SG0013",
        "dynamic is not supported",
        "'{0}' uses dynamic; the generator must know every type at build time: use double, float or a concrete type");

    public static readonly DiagnosticDescriptor DelegateOperation = Error(
        "SG0014",
        "Delegates, lambdas and local functions are not supported",
        "'{0}' {1}; the generator cannot see the code behind a delegate: call a [Differentiable] method directly instead");

    public static readonly DiagnosticDescriptor UnknownDerivative = Error(
        "SG0015",
        "Call to a method with no known derivative",
        "'{0}' has no known derivative; mark it [Differentiable] (it must be in a partial type) or compute it from supported operations (Math/MathF/double/float functions listed in the README)");

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
        "'{0}' writes to {1}; a [Differentiable] method may only assign its own locals and parameters: return the value instead");

    public static readonly DiagnosticDescriptor TooManyPaths = Error(
        "SG0019",
        "Too many control-flow paths",
        "'{0}' has too many paths through early returns to differentiate (the lowered body exceeds {1} statements); restructure it with fewer early returns inside branches");

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
