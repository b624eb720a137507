using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Analysis;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// The first stage of the pipeline for one [Differentiable] method: validate the declaration, lower the body,
/// check what activity decides. Returns only values (the model and the IR, or diagnostics); never throws.
/// </summary>
internal static class Discovery
{
    public const string DifferentiableAttribute = "SymbolicGrad.DifferentiableAttribute";
    public const string NoDerivativeAttribute = "SymbolicGrad.NoDerivativeAttribute";

    /// <summary>Lowers the method whose key changed (see <see cref="MethodKey"/>), and records what the lowering read.</summary>
    public static MethodUnit Run(MethodKey key, CancellationToken ct)
    {
        if (key.Take() is not { } context)
        {
            // Roslyn runs this step once per new key value, which carries its context; never seen, but loud if it happens.
            return new MethodUnit(null, null, new EquatableArray<DiagnosticInfo>(new[]
            {
                new DiagnosticInfo(DiagnosticDescriptors.InternalError.Id, string.Empty, default, default, new EquatableArray<string>(new[] { key.Method, "the method's context was already used" })),
            }));
        }

        var dependencies = new List<SyntaxNode>();
        var unit = Run(context, dependencies, ct);
        MethodKey.Record(key.Method, context.SemanticModel.Compilation, dependencies, unit.Diagnostics.Length > 0);
        if (unit.Model is { } model)
        {
            model.TableId = key.Method;
            if (key.Method.Length > 0 && DependencyTable.Get(key.Method) is { Positions: true })
            {
                unit = unit.WithPositionInKey();
            }
        }

        return unit;
    }

    private static MethodUnit Run(GeneratorAttributeSyntaxContext context, List<SyntaxNode> dependencies, CancellationToken ct)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var node = context.TargetNode;
        var location = node switch
        {
            MethodDeclarationSyntax m => m.Identifier.GetLocation(),
            LocalFunctionStatementSyntax l => l.Identifier.GetLocation(),
            _ => node.GetLocation(),
        };
        string name = context.TargetSymbol.Name;
        try
        {
            var unit = Analyze(context, diagnostics, dependencies, ct);
            return unit ?? new MethodUnit(null, null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, name, ex.GetType().Name + ": " + ex.Message));
            return new MethodUnit(null, null, new EquatableArray<DiagnosticInfo>(diagnostics.ToArray()));
        }
    }

    private static MethodUnit? Analyze(GeneratorAttributeSyntaxContext context, List<DiagnosticInfo> diagnostics, List<SyntaxNode> dependencies, CancellationToken ct)
    {
        void Report(DiagnosticDescriptor d, Location? l, params string[] args) => diagnostics.Add(DiagnosticInfo.Create(d, l, args));

        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return null;
        }

        switch (context.TargetNode)
        {
            case LocalFunctionStatementSyntax local:
                Report(DiagnosticDescriptors.UnsupportedTarget, local.Identifier.GetLocation(), "the local function '" + method.Name + "'",
                    "make it a method of a partial class or struct (local functions called from a [Differentiable] method are differentiated with it)");
                return null;
            case AccessorDeclarationSyntax accessor:
                Report(DiagnosticDescriptors.UnsupportedTarget, accessor.Keyword.GetLocation(), "a property accessor",
                    "write the computation as a method (properties read by a [Differentiable] method are differentiated with it)");
                return null;
            case OperatorDeclarationSyntax op:
                Report(DiagnosticDescriptors.UnsupportedTarget, op.OperatorToken.GetLocation(), "an operator",
                    "write the computation as a method (operators used by a [Differentiable] method are differentiated with it)");
                return null;
            case ConversionOperatorDeclarationSyntax conversion:
                Report(DiagnosticDescriptors.UnsupportedTarget, conversion.Type.GetLocation(), "a conversion operator", "write the computation as a method");
                return null;
            case LambdaExpressionSyntax lambda:
                Report(DiagnosticDescriptors.UnsupportedTarget, lambda.ArrowToken.GetLocation(), "a lambda",
                    "make it a method of a partial class (lambdas called from a [Differentiable] method are differentiated with it)");
                return null;
            case not MethodDeclarationSyntax:
                Report(DiagnosticDescriptors.UnsupportedTarget, context.TargetNode.GetLocation(), "this member", "put it on a method");
                return null;
        }

        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        var model = context.SemanticModel;
        Validate(method, syntax, model.Compilation, diagnostics);

        // Warnings (SG0036, SG0037) do not stop generation: they are reported with the generated method's unit.
        static bool IsWarning(DiagnosticInfo d) => d.Id == DiagnosticDescriptors.HessianOnVectorValued.Id || d.Id == DiagnosticDescriptors.DataParameterHoldsNumbers.Id;
        var warnings = diagnostics.Where(IsWarning).ToList();
        diagnostics.RemoveAll(IsWarning);
        if (diagnostics.Count > 0)
        {
            diagnostics.AddRange(warnings);
            return null;
        }

        // The body with the code: for a partial method, its implementing declaration.
        var implementation = method.PartialImplementationPart ?? method;
        var bodySyntax = implementation.DeclaringSyntaxReferences.Select(r => r.GetSyntax(ct)).OfType<MethodDeclarationSyntax>()
            .FirstOrDefault(m => m.Body is not null || m.ExpressionBody is not null);
        if (bodySyntax is null)
        {
            Report(DiagnosticDescriptors.NoBody, syntax.Identifier.GetLocation(), method.Name);
            return null;
        }

        var bodyModel = BodyModels.For(model.Compilation, bodySyntax.SyntaxTree);
        long lap = System.Diagnostics.Stopwatch.GetTimestamp();

        // Code that does not compile is the compiler's to report; generate nothing until it does. Syntax errors are
        // known for free; asking for the body's semantic errors binds and flow-analyzes it again, which costs more than
        // everything the generator does with a typical method, so that is asked only when lowering fails or reports
        // something (an unknown name lowers to an invalid operation, a read of an unassigned local finds no value).
        if (syntax.ContainsDiagnostics || bodySyntax.ContainsDiagnostics)
        {
            return null;
        }

        bool? compileErrors = null;
        bool HasCompileErrors() => compileErrors ??= bodyModel.GetMethodBodyDiagnostics(bodySyntax.Span, ct).Any(d => d.Severity == DiagnosticSeverity.Error);
        Lowerer? lowerer = null;

        // A call to a member this generator writes (LossGradient, RJacobian...) is a compile error only here, where the
        // generated code does not exist yet: the finished compilation has none, so without this the method would get no
        // gradient and no word why. Also in a helper it inlines, whose errors are then the reason.
        void ReportCallToGeneratedMember()
        {
            var call = HasCompileErrors() ? CallToGeneratedMember(bodyModel, bodySyntax, method.ContainingType, ct) : null;
            foreach (var (helper, helperModel) in lowerer?.InlinedBodies ?? new())
            {
                var declared = helperModel.GetDeclaredSymbol(helper, ct) ?? helperModel.GetEnclosingSymbol(helper.SpanStart, ct);
                call ??= CallToGeneratedMember(helperModel, helper, declared as ITypeSymbol ?? declared?.ContainingType, ct);
            }

            if (call is { } found)
            {
                Report(DiagnosticDescriptors.NotSupportedYet, found.At,
                    "A call to '" + found.Text + "', which SymbolicGrad generates,",
                    "the generator reads this method before it writes '" + found.Member + "', so it cannot differentiate through it: compute what you need from '"
                    + found.Stem + "' in this method (call it, and write out by hand a derivative you need as a value), or call '" + found.Member + "' outside the [Differentiable] method");
            }
        }
        var operation = bodyModel.GetOperation(bodySyntax, ct);
        lap = DebugHooks.Lap("operation tree", method.Name, lap);
        if (operation is null)
        {
            return null;
        }

        bool vector = method.ReturnsVoid;
        var returnType = vector
            ? TypeMap.Scalar(TypeMap.VectorElement(method.Parameters[method.Parameters.Length - 1].Type)!, _ => null)!
            : TypeMap.Scalar(method.ReturnType, _ => null)!;
        var ir = new IrMethod(returnType);
        ir.TypeParameters.AddRange(method.TypeParameters.Select(t => t.Name));
        var bindings = new List<(ISymbol, Frontend.FValue)>();
        foreach (var p in method.Parameters)
        {
            bool results = vector && p.Ordinal == method.Parameters.Length - 1;
            var (param, value) = Parameter(ir, p, results, diagnostics, dependencies);
            if (param is null)
            {
                return null;
            }

            ir.Params.Add(param);
            bindings.Add((p, value));

            // A partial method's other part has its own parameter symbols: the body reads the implementation's.
            var other = method.PartialImplementationPart ?? method.PartialDefinitionPart;
            if (other is not null && p.Ordinal < other.Parameters.Length)
            {
                bindings.Add((other.Parameters[p.Ordinal], value));
            }
        }

        var thisValue = method.IsStatic ? null : (Frontend.FValue)new Frontend.Scalar(new Lit("this", IrType.Data(method.ContainingType.ToDisplayString(TypeMap.Qualified))));
        var trainables = Trainables(method, ir, diagnostics);
        if (diagnostics.Count > 0)
        {
            return null;
        }

        Func<IFieldSymbol, Frontend.FValue?>? trainable = trainables.Count == 0 ? null : field =>
            trainables.TryGetValue(field.OriginalDefinition, out var v) ? v : null;
        var trainableOperands = trainables.Values.OfType<Frontend.Scalar>().Select(v => v.Operand).ToArray();
        lowerer = Lowerer.Lower(bodyModel, method, operation, ir, bindings, thisValue!, trainable, diagnostics, ct, dependencies, trainableOperands);
        if (lowerer is null || lowerer.SilentFailure || (diagnostics.Count > 0 && (HasCompileErrors() || lowerer.InlinedBodiesHaveErrors())))
        {
            diagnostics.Clear();
            ReportCallToGeneratedMember();
            return null;
        }

        if (diagnostics.Count > 0)
        {
            // The method is refused already; the checks that need activity still run, so that a user who fixes the
            // first error does not meet these in a second round. Values of refused constructs carry no activity, so
            // nothing cascades from them; should the analysis fail on the incomplete code, the errors found stand.
            int found = diagnostics.Count;
            try
            {
                ActivityChecks(ir, lowerer, diagnostics);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                diagnostics.RemoveRange(found, diagnostics.Count - found);
            }

            // One construct, one error: a node the lowering refused, or a node inside it (new R(x, x) in new R(x, x)
            // with { A = 2 }), is not reported again.
            for (int i = diagnostics.Count - 1; i >= found; i--)
            {
                var d = diagnostics[i];
                if (diagnostics.Take(found).Any(e => e.Span.Contains(d.Span) && e.FilePath == d.FilePath))
                {
                    diagnostics.RemoveAt(i);
                }
            }

            return null;
        }

        lap = DebugHooks.Lap("lowering", method.Name, lap);
        ActivityChecks(ir, lowerer, diagnostics);
        if (!ir.Params.Any(p => p.Differentiable) && diagnostics.Count == 0)
        {
            var constants = MembersReadAsConstants(operation);
            var structArray = method.Parameters.FirstOrDefault(p => CollectionOfReals(p.Type) is { IsValueType: true, SpecialType: SpecialType.None, TypeKind: TypeKind.Struct }
                && !p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "SymbolicGrad.NoDerivativeAttribute"));
            // The error says why there is nothing to differentiate; SG0037 at the parameter would say it again.
            warnings.RemoveAll(d => d.Id == DiagnosticDescriptors.DataParameterHoldsNumbers.Id);
            // A class, a record class or a struct of another library (System.Numerics.Vector3) holding numbers: data.
            var holder = method.Parameters.FirstOrDefault(p => p.Type is INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct, SpecialType: SpecialType.None } named
                && !IsDifferentiableDeclaration(p) && !HasAttribute(p, NoDerivativeAttribute) && !named.IsGenericType
                && named.GetMembers().Any(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public
                    && (m is IFieldSymbol f && TypeMap.IsRealSymbol(f.Type) || m is IPropertySymbol { IsIndexer: false } pr && TypeMap.IsRealSymbol(pr.Type))));
            Report(DiagnosticDescriptors.NothingToDifferentiate, syntax.Identifier.GetLocation(), method.Name, structArray is not null
                ? "its " + (structArray.Type is IArrayTypeSymbol ? "array" : "collection") + " of structs '" + structArray.Name + "' is not differentiated (" + structArray.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)
                    + ": a parameter may be a struct of numbers, or an array or span of numbers, not an array or span of structs); pass the numbers as a double[] (x, y, z of each point in turn) and build the structs from it in the method"
                : holder is not null
                ? "its parameter '" + holder.Name + "' (" + holder.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + ") is read as data: " + (holder.Type.TypeKind == TypeKind.Class
                    ? "a class or record class is not differentiated; make it a record struct or a struct (of double fields), or pass its numbers as parameters"
                    : TypeMap.HasExplicitLayout(holder.Type)
                    ? "a struct with an explicit layout ([StructLayout(LayoutKind.Explicit)], [FieldOffset]) is not differentiated, since its fields may share storage; use a struct of separate double fields, or pass its numbers as parameters"
                    : "a struct of another library is not differentiated; use a struct or record struct of this project with double fields, or pass its numbers as parameters")
                : constants.Count > 0
                ? "it has no parameter to differentiate, and the fields and properties it reads (" + string.Join(", ", constants.Select(c => c.Name)) + ") are constants to the gradient; pass them as parameters"
                    + (constants.Any(c => !c.IsStatic) ? ", or mark instance ones [Trainable] (the method's class is then the model)" : string.Empty)
                : "it has no double, float or generic-math parameter, no array or span of them, and no struct of them; add one, or remove [NoDerivative] from the one to differentiate"
                    + (!method.IsStatic && method.ContainingType.TypeKind == TypeKind.Class ? ", or mark the model's weights [Trainable] (fields or auto-properties of double, arrays or matrices of double)" : string.Empty));
        }

        if (diagnostics.Count > 0)
        {
            if (HasCompileErrors() || lowerer.InlinedBodiesHaveErrors())
            {
                diagnostics.Clear();
                ReportCallToGeneratedMember();
            }

            return null;
        }

        DebugHooks.Lap("checks", method.Name, lap);
        DebugHooks.Emit("lowered", method.Name, () => IrDump.Of(ir));
        var methodModel = Model(method, syntax, vector);
        methodModel.Location = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, syntax.Identifier.GetLocation());
        return new MethodUnit(methodModel, ir, new EquatableArray<DiagnosticInfo>(warnings.ToArray()));
    }

    /// <summary>The non-const fields and properties of real values (or arrays of them) the body reads, in order of first read.</summary>
    private static List<(string Name, bool IsStatic)> MembersReadAsConstants(IOperation body)
    {
        var found = new List<(string Name, bool IsStatic)>();
        foreach (var op in body.Descendants())
        {
            // Members of the method's class (static, or of this), not of its parameters (a List<double>'s indexer).
            ISymbol? member = op switch
            {
                IFieldReferenceOperation f when !f.Field.IsConst && f.Instance is null or IInstanceReferenceOperation => f.Field,
                IPropertyReferenceOperation p when !p.Property.IsIndexer && p.Instance is null or IInstanceReferenceOperation => p.Property,
                _ => null,
            };
            var type = member switch
            {
                IFieldSymbol f => f.Type,
                IPropertySymbol p => p.Type,
                _ => null,
            };
            if (member is null || type is null || !(TypeMap.IsRealSymbol(type) || type is IArrayTypeSymbol a && TypeMap.IsRealSymbol(a.ElementType)))
            {
                continue;
            }

            if (!found.Any(x => x.Name == member.Name))
            {
                found.Add((member.Name, member.IsStatic));
            }
        }

        return found;
    }

    /// <summary>What only activity can decide: calls and conversions that are fine on data, and writes into arrays.</summary>
    private static void ActivityChecks(IrMethod ir, Lowerer lowerer, List<DiagnosticInfo> diagnostics)
    {
        Optimize.Lengths.Run(ir);
        var aliasing = new Aliasing(ir);
        var activity = new Activity(ir, aliasing);
        foreach (var check in lowerer.Checks)
        {
            // An object created from varied values is reported at its creation, not again where it is used (inside a loop
            // it is a loop variable, which becomes the created value only once the loop is lowered).
            if (!check.Operands.Any(o => !lowerer.CheckedAtCreation(o) && activity.IsVaried(lowerer.Final(o))))
            {
                continue;
            }

            switch (check.Kind)
            {
                case CheckKind.InactiveCall:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownDerivative, check.Location, check.Args));
                    break;
                case CheckKind.InactiveConversion:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LostDerivative, check.Location, check.Args));
                    break;
                case CheckKind.InactiveDataArgument:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CompiledCalleeData, check.Location, check.Args));
                    break;
                case CheckKind.Recursion:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.Recursion, check.Location, check.Args));
                    break;
                case CheckKind.SecondOrderCall:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SecondOrder, check.Location, check.Args));
                    break;
            }
        }

        int beforeWrites = diagnostics.Count;
        CheckWrites(ir, aliasing, lowerer, diagnostics);

        // One construct, one error: a call that writes into the caller's memory (Array.Sort(x) of a parameter) is that
        // write (SG0018), not also a call without a derivative rule.
        for (int i = beforeWrites - 1; i >= 0; i--)
        {
            var d = diagnostics[i];
            if (diagnostics.Skip(beforeWrites).Any(w => w.Span == d.Span && w.FilePath == d.FilePath))
            {
                diagnostics.RemoveAt(i);
                beforeWrites--;
            }
        }
    }

    public const string TrainableAttribute = "SymbolicGrad.TrainableAttribute";

    /// <summary>
    /// The [Trainable] fields and auto-properties of the method's class: differentiated like parameters, after them.
    /// Each becomes a parameter of kind Trainable whose leaf reads this.Member.
    /// </summary>
    /// <summary>Whether <paramref name="member"/> of the base type <paramref name="declaring"/> is out of reach of code in <paramref name="derived"/>.</summary>
    private static bool HiddenFromDerived(ISymbol member, INamedTypeSymbol declaring, INamedTypeSymbol derived) => member.DeclaredAccessibility switch
    {
        Accessibility.Private => true,
        Accessibility.Internal or Accessibility.ProtectedAndInternal => !SymbolEqualityComparer.Default.Equals(declaring.ContainingAssembly, derived.ContainingAssembly)
            && !declaring.ContainingAssembly.GivesAccessTo(derived.ContainingAssembly),
        _ => false,
    };

    private static Dictionary<IFieldSymbol, Frontend.FValue> Trainables(IMethodSymbol method, IrMethod ir, List<DiagnosticInfo> diagnostics)
    {
        var result = new Dictionary<IFieldSymbol, Frontend.FValue>(SymbolEqualityComparer.Default);
        var type = method.ContainingType;
        var members = new List<(ISymbol Member, IFieldSymbol Field, ITypeSymbol Type)>();
        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var m in t.GetMembers())
            {
                if (!HasAttribute(m, TrainableAttribute))
                {
                    continue;
                }

                string? problem = null;
                IFieldSymbol? field = null;
                ITypeSymbol? memberType = null;
                switch (m)
                {
                    case IFieldSymbol f:
                        field = f;
                        memberType = f.Type;
                        if (f.IsReadOnly && !f.Type.IsReferenceType)
                        {
                            problem = "is readonly, so NameObjective cannot train it in place: remove readonly";
                        }

                        break;
                    case IPropertySymbol p:
                        field = t.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(x => SymbolEqualityComparer.Default.Equals(x.AssociatedSymbol, p));
                        memberType = p.Type;
                        if (field is null)
                        {
                            problem = "is a computed property: mark the field or auto-property that holds the value";
                        }
                        else if ((p.SetMethod is null || p.SetMethod.IsInitOnly) && !p.Type.IsReferenceType)
                        {
                            problem = (p.SetMethod is null ? "has no setter" : "has only an init accessor") + ", so NameObjective cannot train it in place: give it a setter (it may be private)";
                        }
                        else if (!TypeMap.IsAutoAccessor(p.GetMethod) || (p.SetMethod is not null && !TypeMap.IsAutoAccessor(p.SetMethod)))
                        {
                            // A get-only array (double[] W { get; } = new double[3]) is trained in place, as a readonly
                            // array field is; an accessor with a body is not its field.
                            // C# 14's get => field * 2; or set => field = ...: the property's value is not its field.
                            problem = "has an accessor with a body, so its value is not the field it is trained through: give it plain get; set; accessors";
                        }

                        break;
                }

                if (problem is null && m is IFieldSymbol { IsConst: true })
                {
                    problem = "is a constant, which cannot change: make it a field (public double W = 0.5;) to train it, or remove [Trainable]";
                }

                if (problem is null && m.IsStatic)
                {
                    problem = "is static: trainable parameters belong to an instance of the model";
                }

                if (problem is null && !method.IsStatic && !SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, type.OriginalDefinition)
                    && (HiddenFromDerived(m, t, type) || (m is IPropertySymbol { SetMethod: { } setter } && HiddenFromDerived(setter, t, type))))
                {
                    // The generated code lives in the derived class, which reads and writes the member by name (red-team L:
                    // CS0122 and CS0272 in the generated file).
                    problem = "is " + (HiddenFromDerived(m, t, type) ? "private" : "set through a private setter") + " in the base class '" + t.Name
                        + "', so the code generated in '" + type.Name + "' cannot train it: make it protected (or give it a protected setter)";
                }

                if (problem is null && type.TypeKind == TypeKind.Struct)
                {
                    problem = "belongs to a struct, which NameObjective would copy: make the model a class";
                }

                if (problem is null && memberType is not null && !(TypeMap.IsRealSymbol(memberType) || memberType is IArrayTypeSymbol { Rank: 1 } a && TypeMap.IsRealSymbol(a.ElementType)
                    || TypeMap.MatrixElement(memberType, out _) is not null))
                {
                    problem = "is of type " + memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + ": trainable members are double, float, T, one-dimensional arrays of them, or matrices of them (T[,], jagged T[][])";
                }

                if (problem is not null || field is null || memberType is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TrainableMember, m.Locations.FirstOrDefault(l => l.IsInSource) ?? method.Locations.FirstOrDefault(), m.Name, problem ?? "cannot be read"));
                    continue;
                }

                if (method.IsStatic)
                {
                    continue;
                }

                members.Add((m, field, memberType));
            }
        }

        var outputs = new HashSet<string>(ir.Params.Where(p => p.Differentiable).Select(p => OutputName(p.Name)), StringComparer.Ordinal);
        foreach (var (member, field, memberType) in members)
        {
            string name = "this." + Escape(member.Name);
            var irType = TypeMap.Scalar(memberType, _ => null)!;
            var v = ir.NewVar(member.Name.TrimStart('_'), irType, VarRole.Parameter);
            v.Name = name;
            string output = OutputName("this." + member.Name);
            if (!outputs.Add(output) || method.Parameters.Any(p => p.Name == output))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OutputNameCollision, member.Locations.FirstOrDefault(), "The gradient output for '" + member.Name + "'", output, "is already the name of another gradient output or parameter"));
                continue;
            }

            ir.Params.Add(new IrParam(name, memberType.ToDisplayString(TypeMap.Qualified), ParamKind.Trainable, new List<Leaf> { new(v, string.Empty, true) }, null));
            result[field.OriginalDefinition] = new Frontend.Scalar(v);
        }

        return result;
    }

    /// <summary>Writes may go to arrays the method creates and to its results span; never into its other parameters or data.</summary>
    private static void CheckWrites(IrMethod ir, Aliasing aliasing, Lowerer lowerer, List<DiagnosticInfo> diagnostics)
    {
        var forbidden = new Dictionary<Var, (string What, string Copy)>();
        foreach (var p in ir.Params)
        {
            foreach (var leaf in p.Leaves)
            {
                if (leaf.Var.Type.IsArray && p.Kind != ParamKind.Results)
                {
                    string name = p.Name.TrimStart('@');
                    var type = leaf.Var.Type;
                    bool matrix = type.Form == ArrayForm.Array && (type.Rank == 2 || (type.Element is { IsArray: true, Rank: 1 } && type.Element.Element!.IsReal));
                    // A model's [Trainable] array (this.W) is named as the member it is, not as a parameter.
                    string what = p.Kind == ParamKind.Trainable && name.StartsWith("this.", StringComparison.Ordinal)
                        ? "the [Trainable] member '" + name.Substring("this.".Length) + "'"
                        : "the parameter '" + name + "'";
                    forbidden[aliasing.Find(leaf.Var)] = (what, matrix ? "var copy = (" + type.CSharp + ")" + name + ".Clone()" : "var copy = " + name + ".ToArray()");
                    if (type.Form == ArrayForm.Array && type.Rank == 1 && type.Element is { IsArray: true, Form: ArrayForm.Array, Rank: 1 } row && row.Element!.IsReal && leaf.Differentiable)
                    {
                        // The rows of a differentiated jagged parameter are the caller's arrays too.
                        forbidden[aliasing.ElementsClass(leaf.Var)] = ("a row of " + what, "var row = " + name + "[i].ToArray()");
                    }
                }
            }
        }

        // Arrays that come from data (fields, calls) are not the method's to write either.
        var owned = new HashSet<Var>();

        // An array value defined by its creation (or a view of one) is that new array wherever it is written, whatever
        // else its class holds later: a local swapped with a parameter array in a loop is filled before they meet.
        var fresh = new HashSet<Var>();
        foreach (var (s, _) in IrWalk.All(ir.Body))
        {
            if (s is Assign { Value.Op: Opcode.Alloc } a)
            {
                owned.Add(aliasing.Find(a.Dst));
                if (!a.Dst.Mutable)
                {
                    fresh.Add(a.Dst);
                }
            }
            else if (s is Assign { Value.Op: Opcode.Copy or Opcode.Slice, Dst.Mutable: false } view && view.Value.Args[0] is Var source && fresh.Contains(source))
            {
                fresh.Add(view.Dst);
            }
        }

        foreach (var p in ir.Params.Where(p => p.Kind == ParamKind.Results))
        {
            owned.Add(aliasing.Find(p.Leaves[0].Var));
        }

        // The parameters' arrays themselves and views of them: a write through one of these is certainly into the
        // caller's memory. A write through another variable of their class (one that also holds the method's own
        // arrays: input = l == 0 ? x : h, then swaps) may be, as far as the class-based aliasing can tell.
        var direct = new HashSet<Var>(ir.Params.Where(p => p.Kind != ParamKind.Results).SelectMany(p => p.Leaves).Select(l => l.Var));
        foreach (var (s, _) in IrWalk.All(ir.Body))
        {
            if (s is Assign { Value.Op: Opcode.Copy or Opcode.Slice, Dst.Mutable: false } view && view.Value.Args[0] is Var source && direct.Contains(source))
            {
                direct.Add(view.Dst);
            }
        }

        ArrayFlows? flows = null;
        HashSet<Var>? foreignClasses = null;
        foreach (var (store, location, text) in lowerer.Writes)
        {
            var cls = aliasing.ClassOf(store.Array);
            if (cls is null || (store.Array is Var written && fresh.Contains(written)))
            {
                continue;
            }

            if (forbidden.TryGetValue(cls, out var mayBe) && owned.Contains(cls) && store.Array is Var through && !direct.Contains(through))
            {
                flows ??= ArrayFlows.Of(ir);
                if (!flows.MayHoldCallersArray(through))
                {
                    // The variable only ever holds the method's own arrays (h and next swapped, input = l == 0 ? x : h
                    // read but never written): the class is wider than what flows into it.
                    continue;
                }

                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SideEffect, WriteTarget(location), text,
                    "an array that may be " + mayBe.What + " (the generator keeps the arrays one variable is given together, and this one shares them with " + mayBe.What + " through assignments or swaps, e.g. input = l == 0 ? x : h)",
                    "read the parameter's elements where they are needed instead of assigning it to a variable that also holds a local array (l == 0 ? x[k] : h[k]), or copy it into a local array first (" + mayBe.Copy + ")"));
            }
            else if (forbidden.TryGetValue(cls, out var what))
            {
                bool row = what.What.StartsWith("a row", StringComparison.Ordinal);
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SideEffect, WriteTarget(location), text, row ? what.What : "the elements of " + what.What,
                    "copy " + (row ? "the row" : "it") + " into a local array (" + what.Copy + ") and write the copy; the gradient cannot undo a write into the caller's memory"));
            }
            else if (!owned.Contains(cls))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SideEffect, WriteTarget(location), text, "an array the method did not create",
                    "write into a local array (new double[n]) or the results span"));
            }
            else if (store.Array is Var mixed)
            {
                // A class the method owns that also holds an array it did not create (double[] r = c ? Table : new
                // double[n], with Table a field, a row of a [NoDerivative] jagged parameter, or a cast from object): the
                // write is refused when that array may flow into the variable written through.
                flows ??= ArrayFlows.Of(ir);
                foreignClasses ??= new HashSet<Var>(flows.Foreign.Where(v => v.Type.IsArray).Select(aliasing.Find));
                if (foreignClasses.Contains(cls) && flows.MayHoldCallersArray(mixed))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SideEffect, WriteTarget(location), text,
                        "an array that may be one the method did not create (a field, a row of a data parameter, or an array from a cast or a call, which this variable is given on some path)",
                        "write into a local array (new double[n]) that only ever holds arrays the method creates, or copy the other array first (var copy = table.ToArray())"));
                }
            }
        }
    }

    /// <summary>A write is reported at what it writes (x[0] in x[0] = 2, as a field write is at the field), not the whole assignment.</summary>
    private static Location WriteTarget(Location location)
    {
        var node = location.SourceTree?.GetRoot().FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        return node switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left.GetLocation(),
            PostfixUnaryExpressionSyntax postfix => postfix.Operand.GetLocation(),
            PrefixUnaryExpressionSyntax prefix when prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression) => prefix.Operand.GetLocation(),
            _ => location,
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // Declarations

    private static void Validate(IMethodSymbol method, MethodDeclarationSyntax syntax, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        void Report(DiagnosticDescriptor d, Location? l, params string[] args) => diagnostics.Add(DiagnosticInfo.Create(d, l, args));

        if (method.ContainingType is { IsExtension: true })
        {
            // A member of a C# 14 extension block (extension(double v) { [Differentiable] public double Sq() => ... }): the
            // block is not a type the generator can add a gradient to.
            Report(DiagnosticDescriptors.UnsupportedContainer, syntax.Identifier.GetLocation(), method.Name,
                "it is a member of an extension block; declare it as a static method of the enclosing static class (public static double "
                + method.Name + "(this double v) ...), whose gradient the generator adds to that class");
            return;
        }

        foreach (var type in syntax.Ancestors().OfType<TypeDeclarationSyntax>())
        {
            if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(DiagnosticDescriptors.TypeNotPartial, type.Identifier.GetLocation(), type.Identifier.Text, method.Name);
            }

            if (type.Modifiers.Any(SyntaxKind.FileKeyword))
            {
                Report(DiagnosticDescriptors.UnsupportedContainer, type.Identifier.GetLocation(), type.Identifier.Text,
                    "a file-local type can only be extended in its own file, and generated code lives in another file: remove 'file' (make it internal or private nested)");
            }
        }

        // Whatever the receiver, the gradient must be of the method that runs. A static interface method that is neither
        // abstract nor virtual is an ordinary static method; an instance interface member is (or is implemented by) another
        // body. A sealed override (or an override in a sealed type) is the body that runs for every receiver of the
        // generated instance member's type, so its gradient, a non-virtual member of the same type, is exact.
        if (method.ContainingType.TypeKind == TypeKind.Interface && !(method.IsStatic && !method.IsVirtual && !method.IsAbstract))
        {
            Report(DiagnosticDescriptors.VirtualMethod, syntax.Identifier.GetLocation(), method.Name, "an interface member");
        }
        else if (method.IsVirtual || method.IsAbstract || (method.IsOverride && !method.IsSealed && !method.ContainingType.IsSealed))
        {
            Report(DiagnosticDescriptors.VirtualMethod, syntax.Identifier.GetLocation(), method.Name, method.IsAbstract ? "abstract" : method.IsOverride ? "an override" : "virtual");
        }

        if (method.ExplicitInterfaceImplementations.Length > 0)
        {
            Report(DiagnosticDescriptors.UnsupportedContainer, syntax.Identifier.GetLocation(), method.Name,
                "it is an explicit interface implementation, which cannot be called by name: implement the interface member by calling a [Differentiable] method");
        }

        if (method.IsVararg)
        {
            Report(DiagnosticDescriptors.UnsupportedContainer, syntax.Identifier.GetLocation(), method.Name, "it takes __arglist: declare its parameters");
        }

        // A type parameter of the class (GS<T>.Sq(T a)): NameObjective, a member of GS<T>, would pass doubles for T.
        static bool UsesTypeParameterOfType(ITypeSymbol t) => t switch
        {
            ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Type } => true,
            IArrayTypeSymbol a => UsesTypeParameterOfType(a.ElementType),
            INamedTypeSymbol n => n.TypeArguments.Any(UsesTypeParameterOfType),
            _ => false,
        };
        bool trainableOfT = method.ContainingType.GetMembers().Any(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == TrainableAttribute)
            && m switch { IFieldSymbol f => UsesTypeParameterOfType(f.Type), IPropertySymbol p => UsesTypeParameterOfType(p.Type), _ => false });
        if (UsesTypeParameterOfType(method.ReturnType) || method.Parameters.Any(p => UsesTypeParameterOfType(p.Type)) || trainableOfT)
        {
            Report(DiagnosticDescriptors.UnsupportedContainer, syntax.Identifier.GetLocation(), method.Name,
                "its values are of a type parameter of its class, and NameObjective (a member of that class) works in double: make the method generic instead (static T Sq<T>(T a) in a non-generic class), or use double");
        }

        if (method.IsAsync)
        {
            var token = syntax.Modifiers.First(m => m.IsKind(SyntaxKind.AsyncKeyword));
            Report(DiagnosticDescriptors.AsyncMethod, token.GetLocation(), method.Name);
        }

        // One construct, one error: an async method's Task<double> follows from SG0003, and a body-less partial void
        // method is reported for its return type only (SG0005 would add nothing a user can act on first).
        bool noBody = syntax.Body is null && syntax.ExpressionBody is null && method.PartialImplementationPart is null && !method.IsAbstract;
        int before = diagnostics.Count;
        IParameterSymbol? resultsNamed = null;   // the would-be results parameter SG0002 names (not reported again as SG0004)
        if (method.IsAsync)
        {
        }
        else if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            Report(DiagnosticDescriptors.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name, syntax.ReturnType.ToString(), DiagnosticDescriptors.ReturnTypeAdvice);
        }
        else if (method.ReturnsVoid)
        {
            var last = method.Parameters.LastOrDefault();
            if (!IsResultsSpan(last))
            {
                Report(DiagnosticDescriptors.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name, "void", VoidAdvice(method, out resultsNamed));
            }
        }
        else if (!TypeMap.IsRealSymbol(method.ReturnType))
        {
            Report(DiagnosticDescriptors.UnsupportedReturnType, syntax.ReturnType.GetLocation(), method.Name,
                method.ReturnType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), DiagnosticDescriptors.ReturnTypeAdvice);
        }

        bool returnTypeReported = diagnostics.Count > before;

        foreach (var p in syntax.ParameterList.Parameters)
        {
            var modifier = p.Modifiers.FirstOrDefault(t => t.IsKind(SyntaxKind.RefKeyword) || t.IsKind(SyntaxKind.OutKeyword));
            if (modifier != default && !(resultsNamed is not null && resultsNamed.Name == p.Identifier.ValueText))
            {
                // ref readonly is named as written: it reads like 'in', which is the fix.
                bool readOnly = modifier.IsKind(SyntaxKind.RefKeyword) && p.Modifiers.Any(t => t.IsKind(SyntaxKind.ReadOnlyKeyword));
                Report(DiagnosticDescriptors.RefParameter, p.GetLocation(), p.Identifier.Text, readOnly ? "ref readonly" : modifier.Text,
                    modifier.IsKind(SyntaxKind.OutKeyword) ? DiagnosticDescriptors.OutParameterAdvice : DiagnosticDescriptors.RefParameterAdvice);
            }
        }

        if (noBody && !returnTypeReported)
        {
            Report(DiagnosticDescriptors.NoBody, syntax.Identifier.GetLocation(), method.Name);
        }

        // Gradient outputs: dX for x; they must not collide with each other, the parameters or the type parameters.
        // A collision with a parameter's name is reported at that parameter (the name to change: 'dX' beside 'x');
        // one with another output or a type parameter at the parameter whose output it is.
        var taken = new Dictionary<string, (string Clash, IParameterSymbol? Named)>(StringComparer.Ordinal);
        foreach (var p in method.Parameters)
        {
            taken[p.Name] = ("is the name of this parameter", p);
        }

        foreach (var tp in method.TypeParameters.Concat(method.ContainingType.TypeParameters))
        {
            taken[tp.Name] = ("is a type parameter's name", null);
        }

        // A vector-valued method (void, results in a last span) gets no NameGradient, so no dX outputs: a data
        // parameter named dX beside x takes nothing's name there.
        bool vectorValued = method.ReturnsVoid;
        foreach (var p in method.Parameters)
        {
            if (!IsDifferentiableDeclaration(p) || vectorValued)
            {
                continue;
            }

            string output = OutputName(p.Name);
            if (taken.TryGetValue(output, out var clash))
            {
                var at = clash.Named is { } named && !SymbolEqualityComparer.Default.Equals(named, p) ? named : p;
                Report(DiagnosticDescriptors.OutputNameCollision, at.Locations.FirstOrDefault(), "The gradient output for '" + p.Name + "'", output, clash.Clash);
            }

            taken[output] = ("is also the gradient output for '" + p.Name + "'", null);
        }

        // Forward mode and second order add a direction vX per parameter (and hvX, the Hessian-vector product's output).
        if (vectorValued && HessianRequested(method) && method.Parameters.Length > 0)
        {
            var attribute = method.GetAttributes().First(a => IsNamed(a.AttributeClass, DifferentiableAttribute));
            var at = attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax attributeSyntax
                ? attributeSyntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Hessian")?.GetLocation() ?? attributeSyntax.GetLocation()
                : method.Locations.FirstOrDefault();
            Report(DiagnosticDescriptors.HessianOnVectorValued, at, method.Name, method.Parameters[method.Parameters.Length - 1].Name);
        }

        if (vectorValued || HessianRequested(method))
        {
            foreach (var p in method.Parameters)
            {
                if (!IsDifferentiableDeclaration(p) || (vectorValued && p.Ordinal == method.Parameters.Length - 1))
                {
                    continue;
                }

                string stem = OutputName(p.Name).Substring(1);
                foreach (var extra in vectorValued ? new[] { "v" + stem } : new[] { "v" + stem, "hv" + stem })
                {
                    if (taken.TryGetValue(extra, out var clash))
                    {
                        var at = clash.Named is { } named && !SymbolEqualityComparer.Default.Equals(named, p) ? named : p;
                        string what = extra[0] == 'v'
                            ? "The direction for '" + p.Name + "' (a parameter of " + method.Name + "Tangent" + (vectorValued ? string.Empty : " and " + method.Name + "HessianVectorProduct") + ")"
                            : "The Hessian-vector product's output for '" + p.Name + "' (in " + method.Name + "HessianVectorProduct)";
                        Report(DiagnosticDescriptors.OutputNameCollision, at.Locations.FirstOrDefault(), what, extra, clash.Clash);
                    }

                    taken[extra] = ("is also the direction or product of '" + p.Name + "'", null);
                }
            }

            // NameTangent's output is 'tangent'; a vector-valued method's NameJacobian writes 'jacobian' (a scalar
            // method has no NameJacobian, so a parameter may be named that there).
            foreach (var p in method.Parameters)
            {
                if (p.Name == "tangent" || (vectorValued && p.Name == "jacobian"))
                {
                    string member = method.Name + (p.Name == "tangent" ? "Tangent" : "Jacobian");
                    Report(DiagnosticDescriptors.OutputNameCollision, p.Locations.FirstOrDefault(), "The output of " + member, p.Name, "is the name of this parameter");
                }
            }
        }

        // Differentiating an array of three levels or dimensions.
        foreach (var p in method.Parameters)
        {
            // double[,] and double[][] are matrices (their gradients are outputs of the same shape); deeper nesting and higher ranks are not.
            if ((p.Type is IArrayTypeSymbol { Rank: > 1 } || (TypeMap.VectorElement(p.Type) is { } element && (element is IArrayTypeSymbol || TypeMap.VectorElement(element) is not null)))
                && TypeMap.MatrixElement(p.Type, out _) is null)
            {
                if (HoldsReals(p.Type) && !HasAttribute(p, NoDerivativeAttribute))
                {
                    Report(DiagnosticDescriptors.NotSupportedYet, p.Locations.FirstOrDefault(),
                        "Differentiating a parameter of type '" + p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "' (" + p.Name + ")",
                        "mark it [NoDerivative] if it is data, or pass the values as a double[,], a jagged double[][] or one flat array (a double[] indexed [(i * n1 + j) * n2 + k])");
                }
            }
            else if (p.RefKind is RefKind.None or RefKind.In && !IsDifferentiableDeclaration(p) && !HasAttribute(p, NoDerivativeAttribute)
                && !(vectorValued && p.Ordinal == method.Parameters.Length - 1) && CollectionOfReals(p.Type) is { } held)
            {
                // List<double> w, IReadOnlyList<double> w, ReadOnlyMemory<double> w, V3[] points: read as data, silently
                // (no gradient output, no slice of the objective's vector; red-team, stop 33). A warning, since data
                // passed this way is common and right; [NoDerivative] says so.
                string shown = p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                string instead = TypeMap.IsRealSymbol(held)
                    ? "a " + held.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "[] or a span"
                    : "arrays of numbers (one per field: xs, ys, zs), or a flat double[] indexed [i * fields + f]";
                Report(DiagnosticDescriptors.DataParameterHoldsNumbers, p.Locations.FirstOrDefault(), p.Name, shown, instead);
            }
            else if (p.RefKind is RefKind.None or RefKind.In && !IsDifferentiableDeclaration(p) && !HasAttribute(p, NoDerivativeAttribute)
                && !(vectorValued && p.Ordinal == method.Parameters.Length - 1) && SingleHolderAdvice(p.Type) is { } advice)
            {
                // System.Numerics.Vector3 v, Complex z: one value of numbers, read as data as silently
                // (red-team H, stop 34).
                Report(DiagnosticDescriptors.DataParameterHoldsNumbers, p.Locations.FirstOrDefault(), p.Name,
                    p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), advice);
            }
        }

        CheckCollisions(method, syntax, compilation, diagnostics);
    }

    /// <summary>
    /// A parameter's default value as a C# constant expression that means the same in the generated file (which has
    /// none of the user's usings): a literal with its type's suffix, or a cast to the fully qualified enum; null for a
    /// value it does not write.
    /// </summary>
    private static string? DefaultValueText(ITypeSymbol type, object? value)
    {
        if (value is null)
        {
            return type.IsReferenceType || type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? "null" : "default";
        }

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string? literal = value switch
        {
            double d when double.IsNaN(d) => "double.NaN",
            double d when double.IsPositiveInfinity(d) => "double.PositiveInfinity",
            double d when double.IsNegativeInfinity(d) => "double.NegativeInfinity",
            double d => d.ToString("R", inv) + "D",
            float f when float.IsNaN(f) => "float.NaN",
            float f when float.IsPositiveInfinity(f) => "float.PositiveInfinity",
            float f when float.IsNegativeInfinity(f) => "float.NegativeInfinity",
            float f => f.ToString("R", inv) + "F",
            decimal m => m.ToString(inv) + "M",
            bool b => b ? "true" : "false",
            int or long or short or sbyte or byte or ushort or uint or ulong or char or string => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
            _ => null,
        };
        if (literal is null)
        {
            return null;
        }

        var underlying = type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T ? ((INamedTypeSymbol)type).TypeArguments[0] : type;
        return underlying.TypeKind == TypeKind.Enum
            ? "(" + underlying.ToDisplayString(TypeMap.Qualified) + ")(" + literal + ")"
            : literal;
    }

    /// <summary>The members the generator writes for a method Name: NameGradient, NameObjective... (longest first).</summary>
    private static readonly string[] GeneratedSuffixes = { "HessianVectorProduct", "LeastSquares", "Objective", "Gradient", "Jacobian", "Tangent" };

    /// <summary>
    /// The first name in the body that does not bind because it is a member the generator writes for a
    /// [Differentiable] method (Res.RosenJacobian, LossGradient): where, as written, the member and its method.
    /// </summary>
    private static (Location At, string Text, string Member, string Stem)? CallToGeneratedMember(SemanticModel model, SyntaxNode body, ITypeSymbol? containingType, CancellationToken ct)
    {
        foreach (var error in model.GetMethodBodyDiagnostics(body.Span, ct))
        {
            if (error.Id is not ("CS0117" or "CS0103" or "CS1061") || !error.Location.IsInSource || error.Location.SourceTree != body.SyntaxTree)
            {
                continue;
            }

            var node = body.FindNode(error.Location.SourceSpan, getInnermostNodeForTie: true);
            var name = node as SimpleNameSyntax ?? (node as MemberAccessExpressionSyntax)?.Name;
            if (name is null)
            {
                continue;
            }

            string member = name.Identifier.ValueText;
            string? suffix = GeneratedSuffixes.FirstOrDefault(x => member.Length > x.Length && member.EndsWith(x, StringComparison.Ordinal));
            if (suffix is null)
            {
                continue;
            }

            string stem = member.Substring(0, member.Length - suffix.Length);
            var access = name.Parent as MemberAccessExpressionSyntax;
            var owner = access is not null && access.Name == name
                ? model.GetSymbolInfo(access.Expression, ct).Symbol as INamedTypeSymbol ?? model.GetTypeInfo(access.Expression, ct).Type
                : containingType;
            if (owner is null || !owner.GetMembers(stem).OfType<IMethodSymbol>().Any(m => m.GetAttributes().Any(a => IsNamed(a.AttributeClass, DifferentiableAttribute))))
            {
                continue;
            }

            SyntaxNode called = access is not null && access.Name == name ? access : name;
            SyntaxNode at = called.Parent is InvocationExpressionSyntax invocation && invocation.Expression == called ? invocation : called;
            string shown = access is not null && access.Name == name ? access.Expression + "." + stem : stem;
            return (at.GetLocation(), called.ToString(), member, shown);
        }

        return null;
    }

    private static bool IsResultsSpan(IParameterSymbol? p) =>
        p is not null && p.RefKind == RefKind.None && TypeMap.IsSpan(p.Type) && !TypeMap.IsReadOnlySpan(p.Type) && TypeMap.VectorElement(p.Type) is { } e && TypeMap.IsRealSymbol(e);

    /// <summary>
    /// SG0002's advice for a void method that is not vector-valued: where it has the makings of one (an array or a
    /// read-only span last, or a results span that is not last), what to change; otherwise the general advice.
    /// </summary>
    private static string VoidAdvice(IMethodSymbol method, out IParameterSymbol? named)
    {
        const string Shape = "a vector-valued [Differentiable] method writes its results into its last parameter, a Span<double>";
        named = null;
        var last = method.Parameters.LastOrDefault();
        if (last is null)
        {
            return DiagnosticDescriptors.ReturnTypeAdvice;
        }

        // An array, a span or a list of reals last (double[] r, out double[] r, ReadOnlySpan<double> r, List<double> r):
        // meant as the results, so named here once (its ref or out is not a second error).
        string type = (last.RefKind switch { RefKind.Out => "out ", RefKind.Ref => "ref ", RefKind.In => "in ", _ => string.Empty })
            + last.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var element = last.Type is IArrayTypeSymbol { Rank: 1 } array ? array.ElementType
            : TypeMap.VectorElement(last.Type)
            ?? (last.Type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } list && list.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic" ? list.TypeArguments[0] : null);
        // A [NoDerivative] last parameter is data, not the results: a results span before it is what to move (red-team:
        // the advice was to declare the data a Span<double>).
        bool lastIsData = last.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "SymbolicGrad.NoDerivativeAttribute");
        if (element is not null && TypeMap.IsRealSymbol(element) && !(lastIsData && method.Parameters.Any(p => IsResultsSpan(p))))
        {
            named = last;
            string why = TypeMap.IsReadOnlySpan(last.Type) && last.RefKind == RefKind.None ? ", which cannot be written" : string.Empty;
            return Shape + ", and '" + last.Name + "' is declared as '" + type + "'" + why + ": declare it 'Span<double> " + last.Name + "' (callers can still pass a double[]), or return a double (a scalar loss)";
        }

        var results = method.Parameters.LastOrDefault(p => IsResultsSpan(p));
        if (results is not null)
        {
            string defaults = method.Parameters.Any(p => p.Ordinal > results.Ordinal && p.HasExplicitDefaultValue)
                ? " (C# then needs the parameters before it without default values)"
                : string.Empty;
            return Shape + ", and '" + last.Name + "' comes after '" + results.Name + "': move '" + results.Name + "' to the end of the parameter list" + defaults;
        }

        return DiagnosticDescriptors.ReturnTypeAdvice;
    }

    /// <summary>
    /// The element type of a collection of numbers (or of structs or tuples holding numbers) that a parameter does not
    /// differentiate: List&lt;double&gt;, IEnumerable&lt;double&gt;, IReadOnlyList&lt;double&gt;, (ReadOnly)Memory&lt;double&gt;,
    /// an array of structs; null for anything else.
    /// </summary>
    private static ITypeSymbol? CollectionOfReals(ITypeSymbol t)
    {
        ITypeSymbol? element = t switch
        {
            IArrayTypeSymbol a => a.ElementType,
            INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } n when n.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.List<T>"
                or "System.Collections.Generic.IList<T>" or "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.ICollection<T>"
                or "System.Collections.Generic.IReadOnlyCollection<T>" or "System.Collections.Generic.IEnumerable<T>" or "System.Memory<T>"
                or "System.ReadOnlyMemory<T>" or "System.Collections.Immutable.ImmutableArray<T>" or "System.ArraySegment<T>"
                or "System.Span<T>" or "System.ReadOnlySpan<T>" => n.TypeArguments[0],
            _ => null,
        };
        return element is not null && (TypeMap.IsRealSymbol(element) || ((TypeMap.IsDesugaredStruct(element) || TypeMap.IsTuple(element)) && StructHasReals(element)))
            ? element
            : null;
    }

    /// <summary>
    /// What to write instead of a parameter that holds numbers in one value the generator reads as data: a struct of
    /// another library with public number fields or properties (Vector3, Complex); else null. (A double? parameter is
    /// data by design, an optional setting: issue 8, section 5.)
    /// </summary>
    private static string? SingleHolderAdvice(ITypeSymbol t)
    {
        if (t is INamedTypeSymbol { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None, IsGenericType: false } named && !named.IsTupleType
            && !named.Locations.Any(l => l.IsInSource) && !TypeMap.IsDesugaredStruct(named)
            && named.GetMembers().Any(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public
                && (m is IFieldSymbol f && TypeMap.IsRealSymbol(f.Type) || m is IPropertySymbol { IsIndexer: false } pr && TypeMap.IsRealSymbol(pr.Type))))
        {
            return "separate double parameters (one per component), or a struct or record struct of this project with double fields";
        }

        return null;
    }

    private static bool HoldsReals(ITypeSymbol t) => t switch
    {
        IArrayTypeSymbol a => TypeMap.IsRealSymbol(a.ElementType) || HoldsReals(a.ElementType),
        _ => TypeMap.VectorElement(t) is { } e && (TypeMap.IsRealSymbol(e) || HoldsReals(e)),
    };

    /// <summary>The generated members must not collide with the type's own members, nor with those generated for an overload.</summary>
    private static void CheckCollisions(IMethodSymbol method, MethodDeclarationSyntax syntax, Compilation compilation, List<DiagnosticInfo> diagnostics)
    {
        string stem = method.Name;
        var type = method.ContainingType;
        var mine = GeneratedSignatures(method);
        foreach (var (member, signature) in mine)
        {
            foreach (var existing in type.GetMembers(member))
            {
                // Reported at the existing member's name, the name to change (where it is in source; else at the method).
                var declared = existing.Locations.FirstOrDefault(l => l.IsInSource);
                bool here = declared is not null && !existing.IsImplicitlyDeclared;
                var at = here ? declared : syntax.Identifier.GetLocation();
                if (existing is IMethodSymbol m && !m.IsImplicitlyDeclared && Signature(m.Parameters.Select(p => p.Type.ToDisplayString(TypeMap.Qualified) + RefSuffix(p.RefKind)), m.Arity) == signature)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollision, at, member, method.Name,
                        here ? "this method already has that name and the same parameters" : "the type already declares a member '" + member + "' with the same parameters"));
                }
                else if (existing is not IMethodSymbol)
                {
                    string kind = existing.Kind == SymbolKind.NamedType ? "nested type" : existing.Kind.ToString().ToLowerInvariant();
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollision, at, member, method.Name,
                        here ? "this " + kind + " already has that name" : "the type already has a " + kind + " named '" + member + "'"));
                }
            }
        }

        // An abstract member of a base class with a generated member's name and parameters: 'new' would leave it
        // unimplemented (CS0534 in the generated file; red-team Q), and a gradient cannot implement it (its shape is the
        // generator's, not the base's).
        for (var b = type.BaseType; b is not null; b = b.BaseType)
        {
            foreach (var (member, signature) in mine)
            {
                foreach (var inherited in b.GetMembers(member).OfType<IMethodSymbol>())
                {
                    if (inherited.IsAbstract && Signature(inherited.Parameters.Select(p => p.Type.ToDisplayString(TypeMap.Qualified) + RefSuffix(p.RefKind)), inherited.Arity) == signature)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollision, syntax.Identifier.GetLocation(), member, method.Name,
                            "the base class " + b.Name + " declares an abstract '" + member + "' with the same parameters, which the generated member would hide and not implement"));
                    }
                }
            }
        }

        // Another [Differentiable] overload whose generated members would have the same signatures: the later one in source order is refused.
        foreach (var other in type.GetMembers(method.Name).OfType<IMethodSymbol>())
        {
            // The other part of the same partial method is the same method (GetMembers returns its definition part).
            if (SymbolEqualityComparer.Default.Equals(other, method) || !HasAttribute(other, DifferentiableAttribute)
                || SymbolEqualityComparer.Default.Equals(other, method.PartialDefinitionPart) || SymbolEqualityComparer.Default.Equals(other, method.PartialImplementationPart))
            {
                continue;
            }

            var theirs = GeneratedSignatures(other);
            foreach (var (member, signature) in mine)
            {
                if (theirs.Any(t => t.Member == member && t.Signature == signature) && IsEarlier(other, method))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollision, syntax.Identifier.GetLocation(), member, method.Name,
                        "the overload '" + other.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat) + "' would get a '" + member + "' with the same parameters"));
                }
            }
        }

        // Case-only differences are fine in C#; but a generated name may equal another method's generated or own name.
        _ = compilation;
    }

    private static bool IsEarlier(IMethodSymbol a, IMethodSymbol b)
    {
        var la = a.Locations.FirstOrDefault();
        var lb = b.Locations.FirstOrDefault();
        if (la is null || lb is null)
        {
            return false;
        }

        int c = string.CompareOrdinal(la.SourceTree?.FilePath, lb.SourceTree?.FilePath);
        return c < 0 || (c == 0 && la.SourceSpan.Start < lb.SourceSpan.Start);
    }

    private static string RefSuffix(RefKind kind) => kind switch
    {
        RefKind.Out => "&out",
        RefKind.Ref => "&ref",
        _ => string.Empty,
    };

    private static string Signature(IEnumerable<string> types, int arity) => arity.ToString(CultureInfo.InvariantCulture) + "(" + string.Join(",", types) + ")";

    /// <summary>
    /// No NameObjective (nor NameLeastSquares) for a generic method whose type parameters do not all close over double
    /// (the factory could not choose them), nor for an instance method of a ref struct (a closure cannot hold it).
    /// </summary>
    private static bool ObjectiveOmitted(IMethodSymbol method) =>
        (method.TypeParameters.Length > 0 && !method.TypeParameters.All(TypeMap.IsGenericReal))
        || (method.ContainingType.IsRefLikeType && !method.IsStatic)
        // A ref struct parameter of the user's own (not a span, which the factory takes as an array): the function
        // NameObjective returns would have to keep it in its delegates, which C# forbids (CS9108; red-team J).
        || method.Parameters.Any(p => p.Type.IsRefLikeType && !TypeMap.IsSpan(p.Type));

    /// <summary>The members the generator adds for a method, with their parameter type lists (as Signature prints them).</summary>
    public static List<(string Member, string Signature)> GeneratedSignatures(IMethodSymbol method)
    {
        var result = new List<(string, string)>();
        var parameters = method.Parameters.Select(p => p.Type.ToDisplayString(TypeMap.Qualified)).ToList();
        bool vector = method.ReturnsVoid;
        var gradientOutputs = new List<string>();
        foreach (var p in method.Parameters)
        {
            if (vector && p.Ordinal == method.Parameters.Length - 1)
            {
                continue;
            }

            if (IsDifferentiableDeclaration(p))
            {
                gradientOutputs.Add(TypeMap.MatrixElement(p.Type, out bool jagged) is { } me ? me.ToDisplayString(TypeMap.Qualified) + (jagged ? "[][]" : "[,]")
                    : TypeMap.VectorElement(p.Type) is { } e ? "global::System.Span<" + e.ToDisplayString(TypeMap.Qualified) + ">" : p.Type.ToDisplayString(TypeMap.Qualified) + "&out");
            }
        }

        var data = method.Parameters.Where(p => !IsDifferentiableDeclaration(p) && !(vector && p.Ordinal == method.Parameters.Length - 1)).Select(p => ObjectiveType(p.Type)).ToList();
        // The objective's shape parameters: a length per array, rows and columns per double[,], the row lengths per jagged
        // double[][] (and an overload with rows and columns for those).
        var arrays = method.Parameters.Where(p => IsDifferentiableDeclaration(p) && (TypeMap.VectorElement(p.Type) is not null || TypeMap.MatrixElement(p.Type, out _) is not null) && !(vector && p.Ordinal == method.Parameters.Length - 1)).ToList();
        var lengths = arrays.SelectMany(p => TypeMap.MatrixElement(p.Type, out bool j) is null ? new[] { "int" } : j ? new[] { "int[]" } : new[] { "int", "int" }).ToList();
        var rectangular = arrays.Any(p => TypeMap.MatrixElement(p.Type, out bool j) is not null && j)
            ? arrays.SelectMany(p => TypeMap.MatrixElement(p.Type, out bool j) is null ? new[] { "int" } : new[] { "int", "int" }).ToList()
            : null;
        int arity = method.Arity;
        var directions = new List<string>();
        foreach (var p in method.Parameters)
        {
            if (!(vector && p.Ordinal == method.Parameters.Length - 1) && IsDifferentiableDeclaration(p))
            {
                directions.Add(TypeMap.MatrixElement(p.Type, out bool jagged) is { } me ? me.ToDisplayString(TypeMap.Qualified) + (jagged ? "[][]" : "[,]")
                    : TypeMap.VectorElement(p.Type) is { } e ? "global::System.ReadOnlySpan<" + e.ToDisplayString(TypeMap.Qualified) + ">" : p.Type.ToDisplayString(TypeMap.Qualified));
            }
        }

        if (vector)
        {
            result.Add((method.Name + "Tangent", Signature(parameters.Concat(directions).Concat(new[] { "global::System.Span<double>" }), arity)));
            result.Add((method.Name + "Jacobian", Signature(parameters.Concat(new[] { "global::System.Span<double>" }), arity)));
            if (!ObjectiveOmitted(method))
            {
                result.Add((method.Name + "LeastSquares", Signature(lengths.Concat(data).Concat(new[] { "int" }), 0)));
                if (rectangular is not null)
                {
                    result.Add((method.Name + "LeastSquares", Signature(rectangular.Concat(data).Concat(new[] { "int" }), 0)));
                }
            }
        }
        else
        {
            result.Add((method.Name + "Gradient", Signature(parameters.Concat(gradientOutputs), arity)));
            if (!ObjectiveOmitted(method))
            {
                result.Add((method.Name + "Objective", Signature(lengths.Concat(data), 0)));
                if (rectangular is not null)
                {
                    result.Add((method.Name + "Objective", Signature(rectangular.Concat(data), 0)));
                }
            }
            if (HessianRequested(method))
            {
                result.Add((method.Name + "Tangent", Signature(parameters.Concat(directions).Concat(new[] { method.ReturnType.ToDisplayString(TypeMap.Qualified) + "&out" }), arity)));
                result.Add((method.Name + "HessianVectorProduct", Signature(parameters.Concat(directions).Concat(gradientOutputs).Concat(gradientOutputs), arity)));
            }
        }

        return result;
    }

    /// <summary>A data parameter's type in NameObjective: a span cannot be captured, so the factory takes an array (as MethodWriter.FactoryType).</summary>
    private static string ObjectiveType(ITypeSymbol type) =>
        type is INamedTypeSymbol { IsGenericType: true, Name: "Span" or "ReadOnlySpan", Arity: 1 } span && span.ContainingNamespace?.ToDisplayString() == "System"
            ? span.TypeArguments[0].ToDisplayString(TypeMap.Qualified) + "[]"
            : type.ToDisplayString(TypeMap.Qualified);

    /// <summary>[Differentiable(Hessian = true)].</summary>
    public static bool HessianRequested(IMethodSymbol method) =>
        method.GetAttributes().FirstOrDefault(a => IsNamed(a.AttributeClass, DifferentiableAttribute))?
            .NamedArguments.Any(n => n.Key == "Hessian" && n.Value.Value is true) ?? false;

    /// <summary>[Differentiable(Vectorize = false)] turns the SIMD kernels off.</summary>
    public static bool VectorizeRequested(IMethodSymbol method) =>
        !(method.GetAttributes().FirstOrDefault(a => IsNamed(a.AttributeClass, DifferentiableAttribute))?
            .NamedArguments.Any(n => n.Key == "Vectorize" && n.Value.Value is false) ?? false);

    /// <summary>[Differentiable(Reassociate = true)] lets the kernels compute sums in vector lanes.</summary>
    public static bool ReassociateRequested(IMethodSymbol method) =>
        method.GetAttributes().FirstOrDefault(a => IsNamed(a.AttributeClass, DifferentiableAttribute))?
            .NamedArguments.Any(n => n.Key == "Reassociate" && n.Value.Value is true) ?? false;

    public static bool IsDifferentiableDeclaration(IParameterSymbol p) =>
        p.RefKind is RefKind.None or RefKind.In && !HasAttribute(p, NoDerivativeAttribute)
        && (TypeMap.IsRealSymbol(p.Type) || (TypeMap.VectorElement(p.Type) is { } e && TypeMap.IsRealSymbol(e)) || TypeMap.MatrixElement(p.Type, out _) is not null || (TypeMap.IsDesugaredStruct(p.Type) && StructHasReals(p.Type)) || (TypeMap.IsTuple(p.Type) && StructHasReals(p.Type)));

    private static bool StructHasReals(ITypeSymbol t) => TypeMap.StructFields(t).Any(f => TypeMap.IsRealSymbol(f.Type) || (TypeMap.VectorElement(f.Type) is { } e && TypeMap.IsRealSymbol(e)) || ((TypeMap.IsDesugaredStruct(f.Type) || TypeMap.IsTuple(f.Type)) && StructHasReals(f.Type)));

    public static bool HasAttribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Any(a => IsNamed(a.AttributeClass, metadataName));

    /// <summary>
    /// Is <paramref name="type"/> the non-generic type named <paramref name="fullName"/> (<c>Ns.Outer.Name</c>, as
    /// <c>ToDisplayString()</c> writes it)? Compared name by name without building the string: this runs for every
    /// attribute of every member of a model class, once per method (ToDisplayString there was 4 % of a build's
    /// generator time on a 200-method class).
    /// </summary>
    public static bool IsNamed(INamedTypeSymbol? type, string fullName)
    {
        int end = fullName.Length;
        ISymbol? current = type;
        while (current is not null and not INamespaceSymbol { IsGlobalNamespace: true })
        {
            if (current is INamedTypeSymbol { IsGenericType: true })
            {
                return false;
            }

            string name = current.Name;
            int start = end - name.Length;
            if (start < 0 || string.CompareOrdinal(fullName, start, name, 0, name.Length) != 0)
            {
                return false;
            }

            if (start == 0)
            {
                var parent = (ISymbol?)current.ContainingType ?? current.ContainingNamespace;
                return parent is null or INamespaceSymbol { IsGlobalNamespace: true };
            }

            if (fullName[start - 1] != '.')
            {
                return false;
            }

            end = start - 1;
            current = (ISymbol?)current.ContainingType ?? current.ContainingNamespace;
        }

        return false;
    }

    /// <summary>The name of the gradient output for a parameter: d + the name with its first letter upper-cased.</summary>
    public static string OutputName(string parameterName)
    {
        if (parameterName.StartsWith("this.", StringComparison.Ordinal))
        {
            // A [Trainable] member: its name without the this. and the field underscore (_w → dW); a member that is all
            // underscores (_, __) keeps them (d_, d__).
            string raw = parameterName.Substring("this.".Length).TrimStart('@');
            string member = raw.TrimStart('_');
            return member.Length == 0 ? "d" + raw : "d" + char.ToUpperInvariant(member[0]) + member.Substring(1);
        }

        // An empty name only comes from code being typed (F(double x, double)): it has a compiler error of its own.
        string name = parameterName.TrimStart('@');
        return name.Length == 0 ? "d" : "d" + char.ToUpperInvariant(name[0]) + name.Substring(1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Parameters

    private static (IrParam? Param, Frontend.FValue Value) Parameter(IrMethod ir, IParameterSymbol p, bool results, List<DiagnosticInfo> diagnostics, List<SyntaxNode> dependencies)
    {
        string name = Escape(p.Name);
        string type = p.Type.ToDisplayString(TypeMap.Qualified);
        bool differentiable = !results && IsDifferentiableDeclaration(p);
        if (results)
        {
            var rv = ir.NewVar(p.Name, TypeMap.Scalar(p.Type, _ => null)!, VarRole.Parameter);
            rv.Name = name;
            return (new IrParam(name, type, ParamKind.Results, new List<Leaf> { new(rv, string.Empty, false) }, null), new Frontend.Scalar(rv));
        }

        // A data struct whose state the generated code cannot name (private fields, a primary constructor's hidden field,
        // a property with a body) is passed whole, as data, and read through its public members like any data object.
        if ((TypeMap.IsDesugaredStruct(p.Type) || TypeMap.IsTuple(p.Type)) && (differentiable || !HasHiddenState(p.Type, 0)))
        {
            var leaves = new List<Leaf>();
            var value = StructLeaves(ir, p.Type, name, string.Empty, differentiable, leaves, diagnostics, p);
            if (value is null)
            {
                return (null, new Frontend.Scalar(Lit.False));
            }

            var param = new IrParam(name, type, ParamKind.Parameter, leaves, differentiable ? type : null);
            if (differentiable)
            {
                param.StructConstruction = Construction(p.Type, dependencies);
                if (param.StructConstruction is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotSupportedYet, p.Locations.FirstOrDefault(),
                        "A struct parameter whose gradient cannot be built (" + p.Name + ")",
                        "give the struct settable fields or properties (or a constructor that stores each parameter unchanged in its field: X = x;), or mark the parameter [NoDerivative]"));
                    return (null, value);
                }
            }

            return (param, value);
        }

        var irType = TypeMap.Scalar(p.Type, _ => null);
        if (irType is null)
        {
            // A nullable number or another composite: data.
            irType = IrType.Data(type);
        }

        if (TypeMap.IsNullableValue(p.Type, out var underlying) && TypeMap.Scalar(underlying, _ => null) is { } ut && ut.Kind != ValueKind.Data)
        {
            var has = ir.NewVar(p.Name + "_has", IrType.Bool, VarRole.Parameter);
            has.Name = name + ".HasValue";
            var val = ir.NewVar(p.Name, ut, VarRole.Parameter);
            val.Name = name + ".GetValueOrDefault()";
            var leaves = new List<Leaf> { new(has, ".HasValue", false), new(val, ".GetValueOrDefault()", false) };
            return (new IrParam(name, type, ParamKind.Parameter, leaves, null), new Frontend.NullableValue(has, new Frontend.Scalar(val)));
        }

        var v = ir.NewVar(p.Name, irType, VarRole.Parameter);
        v.Name = name;
        return (new IrParam(name, type, ParamKind.Parameter, new List<Leaf> { new(v, string.Empty, differentiable) }, null), new Frontend.Scalar(v));
    }

    /// <summary>Would <see cref="StructLeaves"/> refuse this struct for a field the generated code cannot read or write?</summary>
    private static bool HasHiddenState(ITypeSymbol type, int depth)
    {
        if (depth > 16)
        {
            return true;
        }

        foreach (var f in TypeMap.StructFields(type))
        {
            if ((f.IsImplicitlyDeclared && f.AssociatedSymbol is null)
                || (f.AssociatedSymbol is IPropertySymbol accessed && (!TypeMap.IsAutoAccessor(accessed.GetMethod) || (accessed.SetMethod is not null && !TypeMap.IsAutoAccessor(accessed.SetMethod))))
                || (f.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected && f.AssociatedSymbol is not IPropertySymbol { DeclaredAccessibility: Accessibility.Public or Accessibility.Internal })
                || ((TypeMap.IsDesugaredStruct(f.Type) || TypeMap.IsTuple(f.Type)) && HasHiddenState(f.Type, depth + 1)))
            {
                return true;
            }
        }

        return false;
    }

    private static Frontend.FValue? StructLeaves(IrMethod ir, ITypeSymbol type, string root, string path, bool differentiable, List<Leaf> leaves, List<DiagnosticInfo> diagnostics, IParameterSymbol p)
    {
        var fields = TypeMap.StructFields(type);
        var values = new Frontend.FValue[fields.Count];
        for (int i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            string member = f.IsTupleElement() ? (f.CorrespondingTupleField ?? f).Name : f.AssociatedSymbol?.Name ?? f.Name;
            if (f.IsImplicitlyDeclared && f.AssociatedSymbol is null)
            {
                // struct S(double a) { public double A => a; }: the compiler keeps a in a field no code can write.
                var captured = type.GetMembers(WellKnownMemberNames.InstanceConstructorName).OfType<IMethodSymbol>().SelectMany(c => c.Parameters)
                    .FirstOrDefault(q => f.Name.StartsWith("<" + q.Name + ">", StringComparison.Ordinal));
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotSupportedYet, p.Locations.FirstOrDefault(),
                    "A struct parameter whose type keeps a primary constructor parameter" + (captured is null ? string.Empty : " ('" + captured.Name + "')") + " in a hidden field (" + p.Name + ")",
                    "store it in a property and read the property: public double A { get; } = " + (captured?.Name ?? "a") + ";"));
                return null;
            }

            if (f.AssociatedSymbol is IPropertySymbol accessed && (!TypeMap.IsAutoAccessor(accessed.GetMethod) || (accessed.SetMethod is not null && !TypeMap.IsAutoAccessor(accessed.SetMethod))))
            {
                // public double X { get; set => field = Math.Abs(value); }: p.X is not the field, and the gradient
                // could not be stored through the accessor.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotSupportedYet, p.Locations.FirstOrDefault(),
                    "A struct parameter whose property " + accessed.Name + " has an accessor with a body (" + p.Name + ")",
                    "give the property plain get; set; or init; accessors, or pass the numbers as parameters"));
                return null;
            }

            if (f.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected && f.AssociatedSymbol is not IPropertySymbol { DeclaredAccessibility: Accessibility.Public or Accessibility.Internal })
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotSupportedYet, p.Locations.FirstOrDefault(),
                    "A struct parameter with private fields (" + p.Name + "." + member + ")",
                    "make the fields (or their properties) public or internal, or pass the numbers as parameters"));
                return null;
            }

            string access = path + "." + Escape(member);
            if (TypeMap.IsDesugaredStruct(f.Type) || TypeMap.IsTuple(f.Type))
            {
                var nested = StructLeaves(ir, f.Type, root, access, differentiable, leaves, diagnostics, p);
                if (nested is null)
                {
                    return null;
                }

                values[i] = nested;
                continue;
            }

            if (TypeMap.IsNullableValue(f.Type, out var underlying) && TypeMap.Scalar(underlying, _ => null) is { } nt && nt.Kind != ValueKind.Data)
            {
                if (differentiable)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotSupportedYet, p.Locations.FirstOrDefault(),
                        "A differentiated struct parameter with a nullable member (" + p.Name + path + "." + member + ")",
                        "give the member a number and a bool (HasB), pass the nullable as a parameter of its own, or mark the parameter [NoDerivative] when it is data"));
                    return null;
                }

                // A double? member of a data struct: its HasValue and its value, as a nullable parameter is.
                var has = ir.NewVar(root.TrimStart('@') + "_" + member + "_has", IrType.Bool, VarRole.Parameter);
                has.Name = root + access + ".HasValue";
                var val = ir.NewVar(root.TrimStart('@') + "_" + member, nt, VarRole.Parameter);
                val.Name = root + access + ".GetValueOrDefault()";
                leaves.Add(new Leaf(has, access + ".HasValue", false));
                leaves.Add(new Leaf(val, access + ".GetValueOrDefault()", false));
                values[i] = new Frontend.NullableValue(has, new Frontend.Scalar(val));
                continue;
            }

            var t = TypeMap.Scalar(f.Type, _ => null) ?? IrType.Data(f.Type.ToDisplayString(TypeMap.Qualified));
            if (differentiable && t.IsArray && t.Element is { } element && (element.IsReal || element.IsArray))
            {
                // struct Layer { public double[] W; public double B; } as a differentiated parameter: its gradient
                // would be a struct holding a gradient array, which the generated code cannot build (it assigned a
                // number to the array member: code that did not compile).
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotSupportedYet, p.Locations.FirstOrDefault(),
                    "A differentiated struct parameter with an array member (" + p.Name + path + "." + (f.IsTupleElement() ? f.Name : member) + ")",
                    "pass the array as a parameter of its own (double[] w, double b), make the model a class with [Trainable] members, or mark the parameter [NoDerivative] when it is data"));
                return null;
            }

            var v = ir.NewVar(root.TrimStart('@') + "_" + member, t, VarRole.Parameter);
            v.Name = root + access;
            bool leafDifferentiable = differentiable && (t.IsReal || t.IsRealArray);
            leaves.Add(new Leaf(v, access, leafDifferentiable));
            values[i] = new Frontend.Scalar(v);
        }

        return new Frontend.StructValue(type, fields, values);
    }

    /// <summary>How to build a struct gradient from its leaves: an object initializer, a tuple literal, or a constructor of every field.</summary>
    private static string? Construction(ITypeSymbol type, List<SyntaxNode> dependencies)
    {
        int counter = 0;
        return StructConstruction(type, ref counter, dependencies);
    }

    private static string? StructConstruction(ITypeSymbol type, ref int counter, List<SyntaxNode> dependencies)
    {
        string name = type.ToDisplayString(TypeMap.Qualified);
        var fields = TypeMap.StructFields(type);
        if (type is INamedTypeSymbol { IsTupleType: true })
        {
            var items = new List<string>();
            foreach (var f in fields)
            {
                var inner = TypeMap.IsTuple(f.Type) || TypeMap.IsDesugaredStruct(f.Type) ? StructConstruction(f.Type, ref counter, dependencies) : "{" + (counter++).ToString(CultureInfo.InvariantCulture) + "}";
                if (inner is null)
                {
                    return null;
                }

                items.Add(inner);
            }

            return "(" + string.Join(", ", items) + ")";
        }

        // Settable fields and properties: an object initializer.
        bool settable = fields.All(f => f.AssociatedSymbol is IPropertySymbol prop
            ? prop.SetMethod is { DeclaredAccessibility: Accessibility.Public or Accessibility.Internal }
            : !f.IsReadOnly && f.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal);
        if (settable)
        {
            var assignments = new List<string>();
            foreach (var f in fields)
            {
                string member = Escape(f.AssociatedSymbol?.Name ?? f.Name);
                var inner = TypeMap.IsTuple(f.Type) || TypeMap.IsDesugaredStruct(f.Type) ? StructConstruction(f.Type, ref counter, dependencies) : "{" + (counter++).ToString(CultureInfo.InvariantCulture) + "}";
                if (inner is null)
                {
                    return null;
                }

                assignments.Add(member + " = " + inner);
            }

            return "new " + name + " { " + string.Join(", ", assignments) + " }";
        }

        // A constructor that takes every field, matched by name.
        foreach (var ctor in ((INamedTypeSymbol)type).InstanceConstructors)
        {
            if (ctor.Parameters.Length != fields.Count || ctor.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal))
            {
                continue;
            }

            var order = new List<int>();
            foreach (var p in ctor.Parameters)
            {
                int index = -1;
                for (int i = 0; i < fields.Count; i++)
                {
                    string member = fields[i].AssociatedSymbol?.Name ?? fields[i].Name;
                    if (string.Equals(member.TrimStart('_'), p.Name.TrimStart('_'), StringComparison.OrdinalIgnoreCase) && SymbolEqualityComparer.Default.Equals(fields[i].Type, p.Type))
                    {
                        index = i;
                    }
                }

                if (index < 0 || order.Contains(index))
                {
                    break;
                }

                order.Add(index);
            }

            if (order.Count == fields.Count && fields.All(f => !(TypeMap.IsTuple(f.Type) || TypeMap.IsDesugaredStruct(f.Type)))
                && StoresEachParameter(ctor, fields, order, dependencies))
            {
                int start = counter;
                counter += fields.Count;
                return "new " + name + "(" + string.Join(", ", order.Select(i => "{" + (start + i).ToString(CultureInfo.InvariantCulture) + "}")) + ")";
            }
        }

        return null;
    }

    /// <summary>
    /// Does the constructor store each parameter, unchanged, into the field matched to it by name (so that building
    /// the gradient with it stores each component where the method's value had it)? Read from its declaration: a
    /// primary constructor whose positional properties the compiler declares or whose initializers are the bare
    /// parameters (X = X), or a constructor whose body is only such assignments (X = x; this.Y = y; (X, Y) = (x, y);).
    /// Anything else (X = 2 * x, a chained this(...), a compiled constructor) is not used: a gradient built with it
    /// would be silently transformed.
    /// </summary>
    private static bool StoresEachParameter(IMethodSymbol ctor, IReadOnlyList<IFieldSymbol> fields, List<int> order, List<SyntaxNode> dependencies)
    {
        if (ctor.DeclaringSyntaxReferences.Length != 1)
        {
            return false;
        }

        var declaration = ctor.DeclaringSyntaxReferences[0].GetSyntax();
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        if (declaration is TypeDeclarationSyntax { ParameterList: not null })
        {
            foreach (var f in fields)
            {
                string member = f.AssociatedSymbol?.Name ?? f.Name;
                var references = (f.AssociatedSymbol ?? f).DeclaringSyntaxReferences.Select(r => r.GetSyntax()).ToList();
                ExpressionSyntax? initializer = references.Count == 1 ? references[0] switch
                {
                    PropertyDeclarationSyntax property => property.Initializer?.Value,
                    VariableDeclaratorSyntax variable => variable.Initializer?.Value,
                    _ => null,
                } : null;
                if (references.Count > 0 && references.All(r => r is ParameterSyntax))
                {
                    stored[member] = member;
                }
                else if (Unparenthesized(initializer) is IdentifierNameSyntax parameter)
                {
                    stored[member] = parameter.Identifier.ValueText;
                }
            }
        }
        else if (declaration is ConstructorDeclarationSyntax { Initializer: null } constructor)
        {
            var expressions = constructor.ExpressionBody is { } arrow
                ? new List<ExpressionSyntax?> { arrow.Expression }
                : constructor.Body?.Statements.Select(st => (st as ExpressionStatementSyntax)?.Expression).ToList() ?? new List<ExpressionSyntax?>();
            foreach (var e in expressions)
            {
                if (e is not AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.SimpleAssignmentExpression } assignment)
                {
                    return false;
                }

                var pairs = assignment.Left is TupleExpressionSyntax lt && assignment.Right is TupleExpressionSyntax rt && lt.Arguments.Count == rt.Arguments.Count
                    ? lt.Arguments.Zip(rt.Arguments, (l, r) => (l.Expression, r.Expression)).ToList()
                    : new List<(ExpressionSyntax, ExpressionSyntax)> { (assignment.Left, assignment.Right) };
                foreach (var (left, right) in pairs)
                {
                    string? target = left switch
                    {
                        IdentifierNameSyntax id => id.Identifier.ValueText,
                        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax id } => id.Identifier.ValueText,
                        _ => null,
                    };
                    if (target is null || Unparenthesized(right) is not IdentifierNameSyntax source || stored.ContainsKey(target))
                    {
                        return false;
                    }

                    stored[target] = source.Identifier.ValueText;
                }
            }

            dependencies.Add(constructor);
        }
        else
        {
            return false;
        }

        for (int j = 0; j < order.Count; j++)
        {
            var f = fields[order[j]];
            if (!stored.TryGetValue(f.AssociatedSymbol?.Name ?? f.Name, out var source) || source != ctor.Parameters[j].Name)
            {
                return false;
            }
        }

        return true;
    }

    private static ExpressionSyntax? Unparenthesized(ExpressionSyntax? e)
    {
        while (e is ParenthesizedExpressionSyntax p)
        {
            e = p.Expression;
        }

        return e;
    }

    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>
    /// A type's name in the generated partial declaration: verbatim (@record, @field) when it is all lower-case ASCII,
    /// as the user had to write it to avoid CS8860 and CS8981 (warnings that break a TreatWarningsAsErrors build; red-team Q).
    /// </summary>
    private static string EscapeTypeName(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || (name.Length > 0 && name.All(c => c is >= 'a' and <= 'z')) ? "@" + name : name;

    // ---------------------------------------------------------------------------------------------------------
    // The model for emission

    private static MethodModel Model(IMethodSymbol method, MethodDeclarationSyntax syntax, bool vector)
    {
        var m = new MethodModel
        {
            Name = Escape(method.Name),
            Stem = method.Name,
            IsStatic = method.IsStatic,
            IsVectorFunction = vector,
            ReturnType = vector
                ? TypeMap.VectorElement(method.Parameters.Last().Type)!.ToDisplayString(TypeMap.Qualified)
                : method.ReturnType.ToDisplayString(TypeMap.Qualified),
            Accessibility = method.DeclaredAccessibility switch
            {
                Accessibility.Public => "public",
                Accessibility.Internal => "internal",
                Accessibility.Protected => "protected",
                Accessibility.ProtectedOrInternal => "protected internal",
                Accessibility.ProtectedAndInternal => "private protected",
                _ => "private",
            },
            Namespace = method.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
            Display = method.ContainingType.Name + "." + method.Name + "(" + string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat))) + ")",
            Hessian = HessianRequested(method),
            Vectorize = VectorizeRequested(method),
            Reassociate = ReassociateRequested(method),
            InRefStruct = method.ContainingType.IsRefLikeType,
            InStruct = method.ContainingType.TypeKind == TypeKind.Struct,
        };

        var types = new List<INamedTypeSymbol>();
        for (var t = method.ContainingType; t is not null; t = t.ContainingType)
        {
            types.Insert(0, t);
        }

        foreach (var t in types)
        {
            string kind = t.IsRecord ? (t.TypeKind == TypeKind.Struct ? "record struct" : "record") : t.TypeKind switch
            {
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ => "class",
            };
            string modifiers = (t.IsStatic ? "static " : string.Empty) + (t.IsReadOnly && t.TypeKind == TypeKind.Struct ? "readonly " : string.Empty)
                + (t.IsRefLikeType ? "ref " : string.Empty) + (t.IsUnsafe() ? "unsafe " : string.Empty);
            string typeParameters = t.TypeParameters.Length == 0 ? string.Empty : "<" + string.Join(", ", t.TypeParameters.Select(p => Variance(p) + p.Name)) + ">";
            m.Containers.Add(modifiers + "partial " + kind + " " + EscapeTypeName(t.Name) + typeParameters);
        }

        foreach (var tp in method.TypeParameters)
        {
            m.TypeParameters.Add(tp.Name);
            var clauses = new List<string>();
            if (tp.HasUnmanagedTypeConstraint)
            {
                clauses.Add("unmanaged");
            }
            else if (tp.HasValueTypeConstraint)
            {
                clauses.Add("struct");
            }
            else if (tp.HasReferenceTypeConstraint)
            {
                clauses.Add("class");
            }
            else if (tp.HasNotNullConstraint)
            {
                clauses.Add("notnull");
            }

            clauses.AddRange(tp.ConstraintTypes.Select(c => c.ToDisplayString(TypeMap.Qualified)));
            if (tp.HasConstructorConstraint)
            {
                clauses.Add("new()");
            }

            if (clauses.Count > 0)
            {
                m.Constraints.Add("where " + tp.Name + " : " + string.Join(", ", clauses));
            }
        }

        m.ObjectiveClosesOverDouble = method.TypeParameters.Length > 0 && method.TypeParameters.All(TypeMap.IsGenericReal);
        if (ObjectiveOmitted(method))
        {
            m.Omit.Add("Objective");
        }

        foreach (var p in method.Parameters)
        {
            string modifiers = (p.RefKind == RefKind.In ? "in " : string.Empty) + (p.IsThis ? "this " : string.Empty)
                + (p.ScopedKind == ScopedKind.ScopedValue ? "scoped " : string.Empty);
            m.Parameters.Add(new ParameterModel(Escape(p.Name), p.Type.ToDisplayString(TypeMap.Qualified), modifiers, p.Type.IsRefLikeType)
            {
                // double[] x in a nullable context: a null argument is the caller's mistake, named when the objective is made.
                NotNull = p.Type.IsReferenceType && p.Type.TypeKind != TypeKind.TypeParameter && p.NullableAnnotation == NullableAnnotation.NotAnnotated,
                DefaultValue = p.HasExplicitDefaultValue ? DefaultValueText(p.Type, p.ExplicitDefaultValue) : null,
            });
        }

        // 'new' where a generated member hides an inherited one with the same signature.
        var generated = GeneratedSignatures(method);
        for (var b = method.ContainingType.BaseType; b is not null; b = b.BaseType)
        {
            foreach (var (member, signature) in generated)
            {
                foreach (var inherited in b.GetMembers(member).OfType<IMethodSymbol>())
                {
                    // Only a member the derived class can see is hidden: 'new' over a private one (or an internal one of
                    // another assembly) is CS0109, an error under TreatWarningsAsErrors (red-team Q).
                    bool visible = inherited.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal
                        || (inherited.DeclaredAccessibility is Accessibility.Internal or Accessibility.ProtectedAndInternal && SymbolEqualityComparer.Default.Equals(inherited.ContainingAssembly, method.ContainingAssembly));
                    if (visible && Signature(inherited.Parameters.Select(p => p.Type.ToDisplayString(TypeMap.Qualified) + RefSuffix(p.RefKind)), inherited.Arity) == signature && !m.Hides.Contains(member))
                    {
                        m.Hides.Add(member);
                    }
                }
            }
        }

        m.HintName = HintName(method);
        return m;
    }

    /// <summary>A variant interface's partial declarations must repeat each type parameter's variance (CS1067).</summary>
    private static string Variance(ITypeParameterSymbol p) => p.Variance switch
    {
        VarianceKind.Out => "out ",
        VarianceKind.In => "in ",
        _ => string.Empty,
    };

    /// <summary>Type.Method.{hash}.g.cs: short, and unique by construction (the hash is of the method's documentation id).</summary>
    public static string HintName(IMethodSymbol method)
    {
        string type = Sanitize(method.ContainingType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), 32);
        string name = Sanitize(method.Name, 32);
        string id = (method.ContainingNamespace?.ToDisplayString() ?? string.Empty) + "|" + method.ContainingType.MetadataName + "|"
            + (method.GetDocumentationCommentId() ?? method.ToDisplayString());
        return type + "." + name + "." + Hash(id) + ".g.cs";
    }

    private static string Sanitize(string s, int max)
    {
        var chars = s.Select(c => char.IsLetterOrDigit(c) || c == '_' ? c : '_').ToArray();
        var result = new string(chars);
        return result.Length <= max ? result : result.Substring(0, max);
    }

    /// <summary>FNV-1a, 32 bits, as 8 hex digits: stable across runs and machines (string.GetHashCode is not).</summary>
    public static string Hash(string s)
    {
        uint h = 2166136261;
        foreach (char c in s)
        {
            h ^= c;
            h *= 16777619;
        }

        return h.ToString("x8", CultureInfo.InvariantCulture);
    }
}

internal static class SymbolExtensions
{
    public static bool IsTupleElement(this IFieldSymbol f) => f.ContainingType is { IsTupleType: true };

    public static bool IsUnsafe(this INamedTypeSymbol t) =>
        t.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<TypeDeclarationSyntax>().Any(d => d.Modifiers.Any(SyntaxKind.UnsafeKeyword));
}
