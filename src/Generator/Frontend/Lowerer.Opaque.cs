using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// Data expressions the generator does not interpret (exceptions, messages, calls on data) are printed as the user
/// wrote them, with every local and parameter they read turned into an operand (so they see the current value, and
/// generated names cannot capture them) and every type and static member fully qualified.
/// </summary>
internal sealed partial class Lowerer
{
    private FValue OpaqueValue(IOperation op, bool pure)
    {
        var instr = Opaque(op, pure);
        if (instr is null)
        {
            return new Scalar(Poison.Of(IrTypeOrData(op.Type)));
        }

        bool checkedHere = CheckCarriesNoDerivative(op, op.Type, CheckOperands(instr));
        var data = instr.Data;
        if (data is OpaqueInfo info && IsComparisonCall(op))
        {
            // x.CompareTo(y), w.Contains(v), w.IndexOf(v): an int or bool that compares values, a step function (a
            // varied real does not taint it; SG0025 before, red-team).
            data = new OpaqueInfo(info.Parts, info.Pure, info.EffectFree) { Step = true };
        }

        var result = Emit(Opcode.Opaque, instr.Type, instr.Args, data, instr.Source);
        if (checkedHere)
        {
            _checkedAtCreation.Add(result);
        }

        if (_readsTrainables.ContainsKey(instr) && result is Var fromModel)
        {
            Ir.VariedByModel.Add(fromModel);
        }

        return new Scalar(result);
    }

    /// <summary>
    /// Objects whose creation is checked: they vary only if what built them does, and that is reported at the
    /// creation, so later uses (l[0], l.Count) are not reported again.
    /// </summary>
    private readonly HashSet<Operand> _checkedAtCreation = new();

    private Operand[] NotCheckedAtCreation(IEnumerable<Operand> operands) => operands.Where(o => !_checkedAtCreation.Contains(o)).ToArray();

    /// <summary>The values of the model's [Trainable] members (none for a static method or a model without them).</summary>
    private IReadOnlyList<Operand> _trainableOperands = Array.Empty<Operand>();

    /// <summary>The model's this (the entry's), when it has [Trainable] members; null otherwise.</summary>
    private Operand? _modelThis;

    /// <summary>
    /// Code run as written that can see the model's [Trainable] members: it reads one (new Box { V = W }), gets this
    /// whole (Pow(this, 3), reflection on this) or calls a method or computed property of the model, which may read
    /// them. Printed, it reads them as this.W, which carries no derivative, so for the checks the values it depends on
    /// include the members' (red-team L: a layer object built from W1 inside the loss gave a zero gradient).
    /// </summary>
    private readonly Dictionary<Instr, IReadOnlyList<Operand>> _readsTrainables = new();

    /// <summary>What code run as written depends on, for the checks that refuse it when that varies: its operands, and the model's [Trainable] members when it can see them.</summary>
    private Operand[] CheckOperands(Instr opaque) =>
        _readsTrainables.TryGetValue(opaque, out var trainables) ? opaque.Args.Concat(trainables).ToArray() : opaque.Args.ToArray();

    /// <summary>
    /// Whether printing <paramref name="node"/> (a name, or this) in code run as written exposes the model's [Trainable]
    /// members: a [Trainable] member; this itself (not as the receiver of a plain field); a method, or a property with a
    /// body, of the model.
    /// </summary>
    private bool ExposesTrainables(ISymbol? member)
    {
        if (_modelThis is null || member is null || member.IsStatic)
        {
            return false;
        }

        if (Attribute(member, "SymbolicGrad.TrainableAttribute") is not null)
        {
            return true;
        }

        var modelType = _entry.ContainingType;
        bool ofModel = false;
        for (var t = modelType; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(member.ContainingType?.OriginalDefinition, t.OriginalDefinition))
            {
                ofModel = true; // object's MemberwiseClone too: a copy of the model
                break;
            }
        }

        return ofModel && member switch
        {
            IFieldSymbol field => field.AssociatedSymbol is IPropertySymbol backed && Attribute(backed, "SymbolicGrad.TrainableAttribute") is not null,
            IPropertySymbol property => BackingField(property) is null,
            IMethodSymbol method => method.MethodKind is MethodKind.Ordinary or MethodKind.PropertyGet,
            _ => false,
        };
    }

    /// <summary>A call of the base class library that compares numbers and returns a bool or an int: an order, a test, a position.</summary>
    private static bool IsComparisonCall(IOperation op) =>
        op is IInvocationOperation { TargetMethod: { Name: "CompareTo" or "Equals" or "Contains" or "IndexOf" or "LastIndexOf" or "SequenceEqual" } method }
        && method.ReturnType.SpecialType is SpecialType.System_Boolean or SpecialType.System_Int32
        && method.ContainingType.ContainingNamespace?.ToDisplayString() is "System" or "System.Linq" or "System.Collections.Generic";

    /// <summary>
    /// Code the generator runs as written passes no derivative through. That is exact only when what it produces cannot
    /// hold a differentiated value: a string, a bool, an integer or enum (a step function; integers that could encode a
    /// real are tainted instead), an exception. Anything else (an object, a tuple or collection of the BCL, a real) built
    /// from values that depend on the parameters would silently drop their derivative, so it is refused once activity
    /// shows that one of its operands varies.
    /// </summary>
    private bool CheckCarriesNoDerivative(IOperation at, ITypeSymbol? type, IReadOnlyList<Operand> operands)
    {
        if (operands.Count == 0 || CarriesNoDerivative(type))
        {
            return false;
        }

        string advice = ListRefusalAdvice(at) ?? at switch
        {
            IObjectCreationOperation { Type.TypeKind: TypeKind.Class } =>
                "the generator follows values through locals, arrays, spans, structs and tuples, not through the fields of a class object: keep the values in locals or a struct, or make them parameters",
            IObjectCreationOperation { Type.IsRefLikeType: true } =>
                "the generator does not take a ref struct apart: keep its spans and numbers in locals (a span local, a plain struct or a tuple) and pass them to helpers",
            IObjectCreationOperation => "the generator cannot follow values into this type: keep them in locals, a struct or a tuple",
            _ => "the generator cannot follow values through this expression: compute it from supported operations (arithmetic, Math functions, loops, helpers in this project)",
        };
        Checks.Add(new DeferredCheck(CheckKind.InactiveCall, NotCheckedAtCreation(operands), LocationOf(at), new[] { SourceText(at.Syntax), advice }));
        return true;
    }

    private static bool CarriesNoDerivative(ITypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Void:
            case SpecialType.System_String:
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
                return true;
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return true;
        }

        if (TypeMap.IsNullableValue(type, out var underlying))
        {
            return CarriesNoDerivative(underlying);
        }

        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.ToDisplayString() is "System.Exception" or "System.Type")
            {
                return true;
            }
        }

        return false;
    }

    private const string ArrayOfStructsProblem = "a local array of tuples or structs passed to code that runs as written";

    /// <summary>The expression as an opaque instruction (not emitted), or null after reporting why it cannot be.</summary>
    private Instr? Opaque(IOperation op, bool pure)
    {
        var syntax = op.Syntax;
        var model = ModelFor(syntax.SyntaxTree) ?? Model;
        var replacements = new List<(int Start, int End, string? Text, Operand? Hole)>();
        bool exposesTrainables = false;
        var stack = new Stack<SyntaxNode>();
        stack.Push(syntax);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            _ct.ThrowIfCancellationRequested();
            string? problem = null;
            string advice = "compute the value in a local first and use the local here";
            switch (node)
            {
                case LambdaExpressionSyntax or AnonymousMethodExpressionSyntax or QueryExpressionSyntax:
                    problem = "a lambda or query inside a data expression";
                    advice = "compute the value with a loop before this statement and use the result here";
                    break;
                case AssignmentExpressionSyntax a when a.Parent is not InitializerExpressionSyntax:
                    problem = "an assignment inside a data expression";
                    break;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression }:
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression }:
                    problem = "++ or -- inside a data expression";
                    break;
                case DeclarationExpressionSyntax or IsPatternExpressionSyntax:
                    problem = "a declaration inside a data expression";
                    break;
                case BaseExpressionSyntax:
                    problem = "base inside a data expression";
                    break;
                case ExpressionSyntax extension when extension is IdentifierNameSyntax or MemberAccessExpressionSyntax or BinaryExpressionSyntax or PrefixUnaryExpressionSyntax or InvocationExpressionSyntax
                    && model.GetSymbolInfo(extension, _ct).Symbol is { ContainingType.IsExtension: true }:
                    // The generated file has its own usings: a C# 14 extension member (extension(Widget w) { ... }) does not
                    // bind there.
                    problem = "a C# 14 extension member inside code that runs as written";
                    advice = "compute the value in a local of the method first and use the local here";
                    break;
                case LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } multiLine
                    when multiLine.Token.Text.IndexOf('\n') >= 0 || multiLine.Token.Text.IndexOf('\r') >= 0:
                    // A verbatim or raw string over several lines: printed as a one-line literal of the same value (the
                    // generated code is laid out on its own lines, and a line break in the file is \n there).
                    replacements.Add((multiLine.SpanStart, multiLine.Span.End, SymbolDisplay.FormatLiteral(multiLine.Token.ValueText, quote: true), null));
                    continue;
                case InterpolatedStringExpressionSyntax { StringStartToken.RawKind: (int)SyntaxKind.InterpolatedMultiLineRawStringStartToken }:
                    // $""" on its own line: the line breaks after the start and before the end are not part of the value,
                    // and laid out on one line they would be spaces in it.
                    problem = "an interpolated raw string over several lines inside a data expression";
                    advice = "write it on one line ($\"{x.Length} items\"), with \\n where it breaks";
                    break;
                case InterpolatedStringTextSyntax interpolatedText when interpolatedText.TextToken.Text.IndexOf('\n') >= 0 || interpolatedText.TextToken.Text.IndexOf('\r') >= 0:
                    problem = "an interpolated string over several lines inside a data expression";
                    advice = "write it on one line, with \\n where it breaks";
                    break;
                case InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "nameof" } } nameOf when model.GetConstantValue(nameOf, _ct) is { HasValue: true, Value: string s }:
                    replacements.Add((nameOf.SpanStart, nameOf.Span.End, SymbolDisplay.FormatLiteral(s, quote: true), null));
                    continue;
                case MemberBindingExpressionSyntax mb when model.GetSymbolInfo(mb, _ct).Symbol is IMethodSymbol { ReducedFrom: not null }:
                    problem = "an extension method called with ?. inside a data expression";
                    advice = "test for null first (x is null ? ... : x.Method())";
                    break;
                case ThisExpressionSyntax th:
                    if (Function.This is Scalar { Operand: var self })
                    {
                        replacements.Add((th.SpanStart, th.Span.End, null, self));
                        if (_modelThis is not null && ReferenceEquals(self, _modelThis)
                            && (th.Parent is not MemberAccessExpressionSyntax access || access.Expression != th
                                || ExposesTrainables(model.GetSymbolInfo(access, _ct).Symbol) || model.GetSymbolInfo(access, _ct).Symbol is null))
                        {
                            exposesTrainables = true;
                        }

                        continue;
                    }

                    problem = "this of a struct inside a data expression";
                    break;
                case MemberAccessExpressionSyntax ma:
                    {
                        var symbol = model.GetSymbolInfo(ma, _ct).Symbol;
                        if (symbol is INamespaceOrTypeSymbol nt)
                        {
                            problem = Qualify(nt, ma, replacements);
                            if (problem is null)
                            {
                                continue;
                            }

                            break;
                        }

                        if (symbol is not null && !Accessible(symbol))
                        {
                            if (ConstantText(symbol) is { } constant)
                            {
                                replacements.Add((ma.SpanStart, ma.Span.End, constant, null));
                                continue;
                            }

                            problem = "'" + symbol.Name + "', which the generated code cannot access";
                            break;
                        }

                        if (symbol is IPropertySymbol { Name: "Length" } && model.GetOperation(ma, _ct) is IPropertyReferenceOperation { Instance: ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } or IPropertyReferenceOperation { Instance: null or IInstanceReferenceOperation, Arguments.Length: 0 } } lengthOf
                            && lengthOf.Instance.Type is IArrayTypeSymbol { Rank: 1 } or INamedTypeSymbol && (lengthOf.Instance.Type is IArrayTypeSymbol || TypeMap.VectorElement(lengthOf.Instance.Type) is not null)
                            && LowerExpr(lengthOf) is Scalar { Operand: var length })
                        {
                            // w.Length of an array or span: its length, an integer that carries no derivative, rather
                            // than the array (new List<int>(w.Length) does not depend on w's values).
                            replacements.Add((ma.SpanStart, ma.Span.End, null, length));
                            continue;
                        }

                        if (symbol is IMethodSymbol { ReducedFrom: { } extension } reduced && ma.Parent is InvocationExpressionSyntax call && call.Expression == ma)
                        {
                            // x.AsSpan().IndexOf(v): the generated file has none of the user's usings, so an extension
                            // call is printed in its static form, global::System.MemoryExtensions.IndexOf(..., v).
                            problem = StaticExtensionCall(reduced, extension, ma, call, replacements);
                            if (problem is not null)
                            {
                                break;
                            }

                            stack.Push(ma.Expression);
                            continue;
                        }

                        stack.Push(ma.Expression);
                        if (ma.Name is GenericNameSyntax g)
                        {
                            foreach (var arg in g.TypeArgumentList.Arguments)
                            {
                                stack.Push(arg);
                            }
                        }

                        continue;
                    }

                case MemberBindingExpressionSyntax binding:
                    {
                        // .Name after ?. (o?.Name): a member of the receiver, not a name in scope; printed as written.
                        var symbol = model.GetSymbolInfo(binding, _ct).Symbol;
                        if (symbol is not null && !Accessible(symbol))
                        {
                            problem = "'" + symbol.Name + "', which the generated code cannot access";
                            break;
                        }

                        // The ?. is outside this expression (o?.M(...) lowered as a conditional, M(...) printed): its
                        // receiver is the value o?. tested, printed before the member.
                        var access = binding.Ancestors().OfType<ConditionalAccessExpressionSyntax>().FirstOrDefault(a => a.WhenNotNull.Span.Contains(binding.Span));
                        if (access is not null && !syntax.Span.Contains(access.Span))
                        {
                            if (_conditionalInstances.Count == 0 || _conditionalInstances.Peek() is not Scalar { Operand: var receiver })
                            {
                                problem = "?. on a value that is not a number or an object, inside a data expression";
                                break;
                            }

                            replacements.Add((binding.SpanStart, binding.SpanStart, null, receiver));
                        }

                        if (binding.Name is GenericNameSyntax g)
                        {
                            foreach (var arg in g.TypeArgumentList.Arguments)
                            {
                                stack.Push(arg);
                            }
                        }

                        continue;
                    }

                case QualifiedNameSyntax or AliasQualifiedNameSyntax or SimpleNameSyntax:
                    {
                        if (node.Parent is NameColonSyntax or NameEqualsSyntax || (node.Parent is AssignmentExpressionSyntax asg && asg.Left == node && asg.Parent is InitializerExpressionSyntax))
                        {
                            continue;
                        }

                        var info = model.GetSymbolInfo(node, _ct);
                        var symbol = info.Symbol ?? (info.CandidateSymbols.Length == 1 ? info.CandidateSymbols[0] : null);
                        if (symbol is null && node is IdentifierNameSyntax { Identifier.Text: "var" })
                        {
                            continue;
                        }

                        problem = ReplaceName((ExpressionSyntax)node, symbol, syntax, replacements);
                        if (problem is null)
                        {
                            if (symbol is IFieldSymbol or IPropertySymbol or IMethodSymbol && !symbol.IsStatic && ExposesTrainables(symbol)
                                && Function.This is Scalar { Operand: var implicitThis } && ReferenceEquals(implicitThis, _modelThis)
                                && (node.Parent is not MemberAccessExpressionSyntax { Name: var named } || named != node))
                            {
                                // An implicit this.Member (a member access's right side is the member of its left).
                                exposesTrainables = true;
                            }
                            else if (symbol is ILocalSymbol or IParameterSymbol && _modelThis is not null && _env.Get(symbol) is Scalar { Operand: var held } && ReferenceEquals(held, _modelThis))
                            {
                                // The model passed to a helper (Pow(this, 3) reading m.W) and printed here as a variable.
                                exposesTrainables = true;
                            }

                            continue;
                        }

                        break;
                    }

                case InitializerExpressionSyntax init when init.Parent is ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax:
                    foreach (var e in init.Expressions)
                    {
                        stack.Push(e is AssignmentExpressionSyntax asg ? asg.Right : e);
                    }

                    continue;
                case ArgumentSyntax arg:
                    if (arg.RefKindKeyword.IsKind(SyntaxKind.OutKeyword) && _outArguments is { } outNames && arg.Parent?.Parent == syntax)
                    {
                        // An out argument of the data call printed as a tuple: declared afresh (out var __sgOut0), or discarded.
                        if (outNames.TryGetValue(arg, out var outName))
                        {
                            replacements.Add((arg.Expression.SpanStart, arg.Expression.Span.End, "var " + outName, null));
                            continue;
                        }

                        if (arg.Expression is IdentifierNameSyntax { Identifier.Text: "_" } or DeclarationExpressionSyntax { Designation: DiscardDesignationSyntax })
                        {
                            replacements.Add((arg.Expression.SpanStart, arg.Expression.Span.End, "_", null));
                            continue;
                        }
                    }

                    if (arg.RefKindKeyword.IsKind(SyntaxKind.OutKeyword) || arg.RefKindKeyword.IsKind(SyntaxKind.RefKeyword))
                    {
                        problem = "a ref or out argument inside a data expression";
                        break;
                    }

                    stack.Push(arg.Expression);
                    continue;
                case AnonymousObjectMemberDeclaratorSyntax member:
                    stack.Push(member.Expression);
                    continue;
                case InterpolationSyntax interpolation:
                    // A qualified name (global::N.C.t0) in a hole would read as a format specifier: parenthesize it.
                    replacements.Add((interpolation.Expression.SpanStart, interpolation.Expression.SpanStart, "(", null));
                    replacements.Add((interpolation.Expression.Span.End, interpolation.Expression.Span.End, ")", null));
                    stack.Push(interpolation.Expression);
                    if (interpolation.AlignmentClause is { } alignment)
                    {
                        stack.Push(alignment.Value);
                    }

                    continue;
            }

            if (problem is not null)
            {
                if (problem.StartsWith(ArrayOfStructsProblem, StringComparison.Ordinal))
                {
                    advice = "index its elements (ps[i], ps[i].X) and read its Length; copy, fill or reverse it with a loop (for (int i = 0; i < ps.Length; i++) qs[i] = ps[i];)";
                }
                else if (problem.StartsWith("the struct or tuple", StringComparison.Ordinal))
                {
                    // t.ToString() or Log(t) of a tuple local: t already is a local; what works is its numbers.
                    advice = "use its numbers here one by one (t.Item1, p.X), which are values the expression can read; a whole struct or tuple of differentiated values is not";
                }

                Report(DiagnosticDescriptors.UnsupportedExpression, node.GetLocation(), SourceText(node), problem, advice);
                return null;
            }

            foreach (var child in node.ChildNodes().Reverse())
            {
                stack.Push(child);
            }
        }

        // Comments, preprocessor directives and the text they disable read as a space: the text is laid out on one line,
        // where a // comment would swallow the rest of it.
        foreach (var trivia in syntax.DescendantTrivia(descendIntoTrivia: false))
        {
            if (trivia.SpanStart >= syntax.SpanStart && trivia.Span.End <= syntax.Span.End && trivia.Span.Length > 0
                && (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineCommentTrivia) || trivia.IsKind(SyntaxKind.DisabledTextTrivia)
                    || trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || trivia.IsKind(SyntaxKind.MultiLineDocumentationCommentTrivia) || trivia.IsDirective))
            {
                replacements.Add((trivia.SpanStart, trivia.Span.End, " ", null));
            }
        }

        // By position; at one position an opening parenthesis goes first and a closing one last.
        // At one position: an opening parenthesis first, then static-call prefixes (outer call first: the order they were
        // found in), other insertions, replacements, and a closing parenthesis last.
        static int Order((int Start, int End, string? Text, Operand? Hole) r) =>
            r.Start != r.End || r.Hole is not null ? 3 : r.Text == "(" ? 0 : r.Text == ")" ? 4 : r.Text is { Length: > 1 } t && t[t.Length - 1] == '(' ? 1 : 2;
        replacements = replacements.Select((r, i) => (r, i)).OrderBy(p => p.r.Start).ThenBy(p => Order(p.r)).ThenBy(p => p.i).Select(p => p.r).ToList();
        var text = syntax.ToString();
        int baseOffset = syntax.SpanStart;
        var parts = new List<string>();
        var holes = new List<Operand>();
        var current = new System.Text.StringBuilder();
        int pos = 0;
        foreach (var (start, end, replacement, hole) in replacements)
        {
            int s = start - baseOffset;
            if (s < pos)
            {
                continue;
            }

            current.Append(text, pos, s - pos);
            if (hole is not null)
            {
                // The operand, then (for an implicit this) the text that follows it.
                parts.Add(current.ToString());
                current.Clear();
                holes.Add(hole);
            }

            current.Append(replacement);

            pos = end - baseOffset;
        }

        current.Append(text, pos, text.Length - pos);
        // Whitespace next to a hole is kept (o is string must not print as 'ois string'), and the text is never cut
        // short: it is code, not a message.
        parts.Add(current.ToString());
        for (int i = 0; i < parts.Count; i++)
        {
            parts[i] = CollapseKeepEdges(parts[i]);
        }

        parts[0] = parts[0].TrimStart();
        parts[parts.Count - 1] = parts[parts.Count - 1].TrimEnd();

        if (holes.Any(h => h is Poison))
        {
            return null;
        }

        var type = op.Type is null || op.Type.SpecialType == SpecialType.System_Void ? IrType.Object : IrTypeOrData(op.Type);
        var opaque = new Instr(Opcode.Opaque, type, holes.ToArray(), new OpaqueInfo(parts.ToArray(), pure, effectFree: pure), SourceText(syntax));
        if (exposesTrainables)
        {
            _readsTrainables[opaque] = _trainableOperands;
        }

        return opaque;
    }

    /// <summary>Whitespace runs become one space (line breaks inside a data expression would break the generated layout).</summary>
    private static string CollapseKeepEdges(string s)
    {
        if (s.IndexOf('\n') < 0 && s.IndexOf('\r') < 0)
        {
            return s;
        }

        var sb = new System.Text.StringBuilder();
        bool space = false;
        foreach (char c in s)
        {
            if (c is '\n' or '\r' or '\t' or ' ')
            {
                space = true;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
        }

        if (space)
        {
            sb.Append(' ');
        }

        return sb.ToString();
    }

    private string? ReplaceName(ExpressionSyntax node, ISymbol? symbol, SyntaxNode root, List<(int, int, string?, Operand?)> replacements)
    {
        switch (symbol)
        {
            case null:
                return null;
            case ILocalSymbol or IParameterSymbol:
                if (symbol.Locations.Any(l => root.Span.Contains(l.SourceSpan) && l.SourceTree == root.SyntaxTree))
                {
                    return "a variable declared inside a data expression";
                }

                var value = _env.Get(symbol);
                if (value is RefValue r)
                {
                    value = ReadRef(r, null);
                }

                if (value is Scalar { Operand: var o })
                {
                    replacements.Add((node.SpanStart, node.Span.End, null, o));
                    return null;
                }

                if (value is FunctionValue)
                {
                    return "a delegate inside a data expression";
                }

                if (value is TupleArrayValue)
                {
                    return ArrayOfStructsProblem;
                }

                return value is null ? "'" + symbol.Name + "', which has no value here" : "the struct or tuple '" + symbol.Name + "' inside a data expression";
            case IRangeVariableSymbol:
                return "a query variable";
            case INamespaceOrTypeSymbol nt:
                return Qualify(nt, node, replacements);
            case IMethodSymbol { MethodKind: MethodKind.LocalFunction }:
                return "a local function inside a data expression";
            case IFieldSymbol or IPropertySymbol or IMethodSymbol or IEventSymbol:
                if (!Accessible(symbol))
                {
                    if (ConstantText(symbol) is { } constant)
                    {
                        replacements.Add((node.SpanStart, node.Span.End, constant, null));
                        return null;
                    }

                    return "'" + symbol.Name + "', which the generated code cannot access";
                }

                if (symbol.IsStatic)
                {
                    replacements.Add((node.SpanStart, node.SpanStart, Concrete(symbol.ContainingType).ToDisplayString(TypeMap.Qualified) + ".", null));
                    return null;
                }

                if (Function.This is Scalar { Operand: var self })
                {
                    replacements.Add((node.SpanStart, node.SpanStart, ".", self));
                    return null;
                }

                return "a member of a struct inside a data expression";
            default:
                return null;
        }
    }

    private string? Qualify(INamespaceOrTypeSymbol symbol, SyntaxNode node, List<(int, int, string?, Operand?)> replacements)
    {
        if (symbol is ITypeParameterSymbol tp)
        {
            var concrete = Concrete(tp);
            replacements.Add((node.SpanStart, node.Span.End, concrete.ToDisplayString(TypeMap.Qualified), null));
            return null;
        }

        if (symbol is ITypeSymbol t && !Accessible(t))
        {
            return "the type '" + t.Name + "', which the generated code cannot access";
        }

        var display = symbol is ITypeSymbol type ? Concrete(type).ToDisplayString(TypeMap.Qualified) : "global::" + symbol.ToDisplayString();
        replacements.Add((node.SpanStart, node.Span.End, display, null));
        return null;
    }

    /// <summary>
    /// A constant the generated code cannot name (a private const of a helper's type), as a literal of its value and
    /// type, parenthesized; null for other symbols and for constants of other types (an enum).
    /// </summary>
    private static string? ConstantText(ISymbol symbol)
    {
        if (symbol is not IFieldSymbol { IsConst: true, HasConstantValue: true } field)
        {
            return null;
        }

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string? text = (field.ConstantValue, field.Type.SpecialType) switch
        {
            (null, SpecialType.System_String) => "(string)null",
            (string v, SpecialType.System_String) => SymbolDisplay.FormatLiteral(v, quote: true),
            (char v, SpecialType.System_Char) => SymbolDisplay.FormatLiteral(v, quote: true),
            (bool v, SpecialType.System_Boolean) => v ? "true" : "false",
            (int v, SpecialType.System_Int32) => v.ToString(inv),
            (uint v, SpecialType.System_UInt32) => v.ToString(inv) + "U",
            (long v, SpecialType.System_Int64) => v.ToString(inv) + "L",
            (ulong v, SpecialType.System_UInt64) => v.ToString(inv) + "UL",
            (short v, SpecialType.System_Int16) => "(short)" + v.ToString(inv),
            (ushort v, SpecialType.System_UInt16) => "(ushort)" + v.ToString(inv),
            (byte v, SpecialType.System_Byte) => "(byte)" + v.ToString(inv),
            (sbyte v, SpecialType.System_SByte) => "(sbyte)" + v.ToString(inv),
            (double v, SpecialType.System_Double) => double.IsNaN(v) ? "double.NaN" : double.IsPositiveInfinity(v) ? "double.PositiveInfinity"
                : double.IsNegativeInfinity(v) ? "double.NegativeInfinity" : v.ToString("R", inv) + "D",
            (float v, SpecialType.System_Single) => float.IsNaN(v) ? "float.NaN" : float.IsPositiveInfinity(v) ? "float.PositiveInfinity"
                : float.IsNegativeInfinity(v) ? "float.NegativeInfinity" : v.ToString("R", inv) + "F",
            (decimal v, SpecialType.System_Decimal) => v.ToString(inv) + "M",
            _ => null,
        };
        return text is null ? null : "(" + text + ")";
    }

    /// <summary>Can the generated code (in the [Differentiable] method's type) use this symbol?</summary>
    /// <summary>Prints recv.M&lt;T&gt;(args) as global::Ns.Ext.M&lt;T&gt;(recv, args); null, or why it cannot.</summary>
    private string? StaticExtensionCall(IMethodSymbol reduced, IMethodSymbol extension, MemberAccessExpressionSyntax ma, InvocationExpressionSyntax call, List<(int Start, int End, string? Text, Operand? Hole)> replacements)
    {
        if (extension.Parameters.Length == 0 || extension.Parameters[0].RefKind != RefKind.None || !Accessible(extension.ContainingType))
        {
            return "an extension method taking its receiver by reference, or in a type the generated code cannot access";
        }

        string typeArguments = ma.Name is GenericNameSyntax
            ? "<" + string.Join(", ", reduced.TypeArguments.Select(t => t.ToDisplayString(TypeMap.Qualified))) + ">"
            : string.Empty;
        replacements.Add((call.SpanStart, call.SpanStart, extension.ContainingType.ToDisplayString(TypeMap.Qualified) + "." + extension.Name + typeArguments + "(", null));
        replacements.Add((ma.Expression.Span.End, call.ArgumentList.OpenParenToken.Span.End, call.ArgumentList.Arguments.Count > 0 ? ", " : string.Empty, null));
        return null;
    }

    private bool Accessible(ISymbol symbol) => FileLocalType(symbol) is null && _compilation.IsSymbolAccessibleWithin(symbol.OriginalDefinition, _entry.ContainingType);

    /// <summary>
    /// The file-local type (<c>file class Table</c>) that <paramref name="symbol"/> is or is declared in, if any: the
    /// generated code lives in another file and cannot name it, whatever its accessibility.
    /// </summary>
    private static INamedTypeSymbol? FileLocalType(ISymbol symbol)
    {
        for (var t = symbol as INamedTypeSymbol ?? symbol.ContainingType; t is not null; t = t.ContainingType)
        {
            if (t.IsFileLocal)
            {
                return t;
            }
        }

        return null;
    }
}
