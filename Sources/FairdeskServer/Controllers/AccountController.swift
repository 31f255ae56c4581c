import FairdeskMail
import Fluent
import Foundation
import SQLKit
import Vapor

/// Signing in and out, sign-in links for customers, password reset and change.
enum AccountController {
    static func register(_ web: any RoutesBuilder) {
        web.get(WebPaths.home, use: home)
        web.get(WebPaths.signIn, use: signInPage)
        web.post(WebPaths.signIn, use: signIn)
        web.post(WebPaths.signOut, use: signOut)
        web.post(WebPaths.signInLinkRequest, use: requestSignInLink)
        web.get(WebPaths.signInLink, use: signInLinkPage)
        web.post(WebPaths.signInLink, use: useSignInLink)
        web.get(WebPaths.forgotPassword, use: forgotPasswordPage)
        web.post(WebPaths.forgotPassword, use: forgotPassword)
        web.get(WebPaths.resetPassword, use: resetPasswordPage)
        web.post(WebPaths.resetPassword, use: resetPassword)
        web.get(WebPaths.changePassword, use: changePasswordPage)
        web.post(WebPaths.changePassword, use: changePassword)
    }

    /// Staff to the queue, customers to their tickets, everyone else to sign in.
    @Sendable static func home(_ req: Request) async throws -> Response {
        guard let session = req.webSession else { return req.seeOther(WebPaths.signIn.link()) }
        if session.mustChangePassword { return req.seeOther(WebPaths.changePassword.link()) }
        return req.seeOther(session.isStaff ? DeskPaths.queue(view: .waiting) : PortalPaths.home.link())
    }

    @Sendable static func signInPage(_ req: Request) async throws -> Response {
        if req.webSession != nil { return req.seeOther(WebPaths.home.link()) }
        return AccountPages.signIn(.init(), csrfToken: req.csrfToken).response()
    }

    struct SignInForm: Content {
        var email: String?
        var password: String?
    }

    @Sendable static func signIn(_ req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespaces)
        let password = form.password ?? ""
        if let minutes = try await LoginThrottle.wait(account: email, address: req.clientAddress, on: req.db) {
            return AccountPages.signIn(.init(email: email, error: "Too many failed attempts. Try again in \(minutes) minute\(minutes == 1 ? "" : "s"), or reset your password."),
                                       csrfToken: req.csrfToken).response(.tooManyRequests)
        }
        let person = email.isEmpty ? nil : try await PeopleDirectory(database: req.db).person(forAddress: email)
        // Always one bcrypt verification, so the answer's timing does not tell whether the
        // account exists.
        let hash = person?.passwordHash ?? Self.decoyHash
        let matches = try await req.password.async.verify(password, created: hash)
        guard let person, matches, person.passwordHash != nil, !person.disabled, let personID = person.id else {
            let address = req.clientAddress, actor = person?.id
            try await req.write { db in
                try await LoginThrottle.recordFailure(account: email, address: address, on: db)
                try await Audit.record("sign-in.failed", object: "account", detail: String(email.prefix(200)), actor: actor,
                                       address: address, on: db)
            }
            return AccountPages.signIn(.init(email: email, error: "The email address or the password is wrong."),
                                       csrfToken: req.csrfToken).response(.unauthorized)
        }
        try await req.write { db in try await LoginThrottle.clear(account: email, on: db) }
        return try await startSession(req, personID: personID,
                                      then: person.mustChangePassword ? WebPaths.changePassword.link() : WebPaths.home.link())
    }

    /// A bcrypt hash of a random secret, verified against when the account is unknown
    /// (made once, on first use).
    static let decoyHash: String = (try? Bcrypt.hash(WebSessions.randomToken())) ?? ""

    private static func startSession(_ req: Request, personID: UUID, then location: String) async throws -> Response {
        let address = req.clientAddress
        let token = try await req.write { db in
            try await Audit.record("sign-in", object: "session", actor: personID, address: address, on: db)
            return try await WebSessions.create(for: personID, on: db)
        }
        let response = req.seeOther(location)
        response.cookies[WebSessions.cookieName] = WebSessions.cookie(token, secure: req.fairdesk.configuration.usesHTTPS)
        return response
    }

    @Sendable static func signOut(_ req: Request) async throws -> Response {
        if let token = req.cookies[WebSessions.cookieName]?.string, !token.isEmpty {
            try await req.write { db in try await WebSessions.destroy(token: token, on: db) }
        }
        let response = req.seeOther(WebPaths.signIn.link())
        response.cookies[WebSessions.cookieName] = WebSessions.expiredCookie(secure: req.fairdesk.configuration.usesHTTPS)
        return response
    }

    struct EmailForm: Content {
        var email: String?
    }

    /// Mails a sign-in link to an address we know from a customer's mail. The answer is
    /// the same whether or not we know it.
    @Sendable static func requestSignInLink(_ req: Request) async throws -> Response {
        let email = (try req.content.decode(EmailForm.self).email ?? "").trimmingCharacters(in: .whitespaces)
        if let minutes = try await LoginThrottle.wait(account: email, address: req.clientAddress, on: req.db) {
            return AccountPages.message(title: "Please wait", text: "Too many requests. Try again in \(minutes) minutes.",
                                        viewer: nil, csrfToken: req.csrfToken).response(.tooManyRequests)
        }
        if let person = try await PeopleDirectory(database: req.db).person(forAddress: email), !person.disabled,
           person.role == .customer, let personID = person.id {
            try await mailLink(req, to: email, personID: personID, purpose: .signIn, subject: "Your sign-in link",
                               text: "Follow this link to see your tickets. It works once, within an hour:")
        } else {
            // Counts toward the throttle, so the form cannot be used to probe addresses quickly.
            let address = req.clientAddress
            try await req.write { db in try await LoginThrottle.recordFailure(account: email, address: address, on: db) }
        }
        return AccountPages.message(title: "Check your email",
                                    text: "If we have had mail from \(email), a sign-in link is on its way to it. It works once, within an hour.",
                                    viewer: nil, csrfToken: req.csrfToken).response()
    }

    /// Mails a single-use link to a person (also used by the staff page: a new account
    /// gets a reset link to choose its own password).
    static func mailLink(_ req: Request, to email: String, personID: UUID, purpose: SignInTokens.Purpose,
                                 subject: String, text: String) async throws {
        let services = req.fairdesk
        _ = try await services.keyRing.dataKey(for: FairdeskServices.installationOwner)
        try await services.writes.transaction(on: req.db) { db in
            let token = try await SignInTokens.create(for: personID, address: email, purpose: purpose, on: db)
            let path = purpose == .reset ? WebPaths.resetPassword(token: token) : WebPaths.signInLink(token: token)
            let body = "\(text)\n\n\(services.configuration.publicBaseURL)\(path)\n\nIf you did not ask for this, ignore this message.\n"
            let writes = try await OutgoingComposer(services: services, database: db)
                .accountMail(to: MailAddress(address: email), subject: subject, body: body, now: Date())
            try services.blobs.sync(writes.map { ($0.reference, $0.owner) })
        }
    }

    @Sendable static func signInLinkPage(_ req: Request) async throws -> Response {
        let token = try req.parameters.require("token")
        guard try await SignInTokens.isLive(token, purpose: .signIn, on: req.db) else { return expiredLink(req) }
        return AccountPages.confirmSignInLink(token: token, csrfToken: req.csrfToken).response()
    }

    @Sendable static func useSignInLink(_ req: Request) async throws -> Response {
        let token = try req.parameters.require("token")
        guard let personID = try await req.write({ db in try await SignInTokens.consume(token, purpose: .signIn, on: db) }) else {
            return expiredLink(req)
        }
        return try await startSession(req, personID: personID, then: PortalPaths.home.link())
    }

    private static func expiredLink(_ req: Request) -> Response {
        AccountPages.message(title: "This link has expired",
                             text: "Links work once, within an hour. Ask for a new one on the sign-in page.",
                             viewer: req.viewer, csrfToken: req.csrfToken, link: (WebPaths.signIn.link(), "Sign in"))
            .response(.gone)
    }

    @Sendable static func forgotPasswordPage(_ req: Request) async throws -> Response {
        AccountPages.forgotPassword(csrfToken: req.csrfToken).response()
    }

    @Sendable static func forgotPassword(_ req: Request) async throws -> Response {
        let email = (try req.content.decode(EmailForm.self).email ?? "").trimmingCharacters(in: .whitespaces)
        guard email.contains("@") else {
            return AccountPages.forgotPassword(csrfToken: req.csrfToken, error: "Enter the email address you sign in with.")
                .response(.unprocessableEntity)
        }
        if let minutes = try await LoginThrottle.wait(account: email, address: req.clientAddress, on: req.db) {
            return AccountPages.message(title: "Please wait", text: "Too many requests. Try again in \(minutes) minutes.",
                                        viewer: nil, csrfToken: req.csrfToken).response(.tooManyRequests)
        }
        if let person = try await PeopleDirectory(database: req.db).person(forAddress: email), person.role.isStaff,
           !person.disabled, let personID = person.id {
            try await mailLink(req, to: email, personID: personID, purpose: .reset, subject: "Reset your Fairdesk password",
                               text: "Follow this link to choose a new password. It works once, within an hour:")
        } else {
            let address = req.clientAddress
            try await req.write { db in try await LoginThrottle.recordFailure(account: email, address: address, on: db) }
        }
        return AccountPages.message(title: "Check your email",
                                    text: "If \(email) has a staff account, a link to reset its password is on its way. It works once, within an hour.",
                                    viewer: nil, csrfToken: req.csrfToken).response()
    }

    @Sendable static func resetPasswordPage(_ req: Request) async throws -> Response {
        let token = try req.parameters.require("token")
        guard try await SignInTokens.isLive(token, purpose: .reset, on: req.db) else { return expiredLink(req) }
        return AccountPages.newPassword(.init(action: WebPaths.resetPassword(token: token), needsCurrent: false),
                                        title: "Choose a new password", viewer: nil, csrfToken: req.csrfToken).response()
    }

    struct PasswordForm: Content {
        var current: String?
        var password: String?
        var confirm: String?
    }

    @Sendable static func resetPassword(_ req: Request) async throws -> Response {
        let token = try req.parameters.require("token")
        let form = try req.content.decode(PasswordForm.self)
        let problems = PasswordRules.problems(password: form.password ?? "", confirm: form.confirm ?? "")
        guard problems.isEmpty else {
            return AccountPages.newPassword(.init(action: WebPaths.resetPassword(token: token), needsCurrent: false, errors: problems),
                                            title: "Choose a new password", viewer: nil, csrfToken: req.csrfToken)
                .response(.unprocessableEntity)
        }
        let hash = try await req.password.async.hash(form.password ?? "")
        guard let personID = try await req.fairdesk.writes.transaction(on: req.db, { db -> UUID? in
            guard let personID = try await SignInTokens.consume(token, purpose: .reset, on: db) else { return nil }
            try await setPassword(hash, for: personID, on: db)
            try await WebSessions.destroyAll(of: personID, on: db)
            return personID
        }) else { return expiredLink(req) }
        let address = req.clientAddress
        try await req.write { db in try await Audit.record("password.reset", object: "account", actor: personID, address: address, on: db) }
        return try await startSession(req, personID: personID, then: WebPaths.home.link())
    }

    @Sendable static func changePasswordPage(_ req: Request) async throws -> Response {
        let session = try req.requireWebSession()
        return AccountPages.newPassword(.init(action: WebPaths.changePassword.link(), needsCurrent: try await hasPassword(session, on: req.db)),
                                        title: "Change your password", viewer: req.viewer, csrfToken: req.csrfToken,
                                        notice: session.mustChangePassword ? "Choose your own password before you go on." : nil).response()
    }

    @Sendable static func changePassword(_ req: Request) async throws -> Response {
        let session = try req.requireWebSession()
        let form = try req.content.decode(PasswordForm.self)
        let needsCurrent = try await hasPassword(session, on: req.db)
        var problems = PasswordRules.problems(password: form.password ?? "", confirm: form.confirm ?? "")
        if needsCurrent {
            let person = try await Person.find(session.personID, on: req.db).orThrow("person vanished")
            let current = form.current ?? ""
            if try await !req.password.async.verify(current, created: person.passwordHash ?? Self.decoyHash) {
                problems["current"] = "This is not your current password."
            }
        }
        guard problems.isEmpty else {
            return AccountPages.newPassword(.init(action: WebPaths.changePassword.link(), needsCurrent: needsCurrent, errors: problems),
                                            title: "Change your password", viewer: req.viewer, csrfToken: req.csrfToken)
                .response(.unprocessableEntity)
        }
        let hash = try await req.password.async.hash(form.password ?? "")
        try await req.fairdesk.writes.transaction(on: req.db) { db in
            try await setPassword(hash, for: session.personID, on: db)
            // Other browsers signed in as this person are signed out.
            try await WebSessions.destroyAll(of: session.personID, keeping: session.id, on: db)
        }
        let address = req.clientAddress
        try await req.write { db in
            try await Audit.record("password.changed", object: "account", actor: session.personID, address: address, on: db)
        }
        return AccountPages.message(title: "Password changed", text: "Your new password is in force; other sessions were signed out.",
                                    viewer: req.viewer, csrfToken: req.csrfToken, link: (WebPaths.home.link(), "Continue")).response()
    }

    private static func hasPassword(_ session: WebSession, on db: any Database) async throws -> Bool {
        try await Person.find(session.personID, on: db)?.passwordHash != nil
    }

    private static func setPassword(_ hash: String, for personID: UUID, on db: any Database) async throws {
        try await Rows(db).sql.update("people")
            .set("password_hash", to: SQLBind(hash)).set("must_change_password", to: SQLBind(false)).set("updated_at", to: SQLBind(Date()))
            .where("id", .equal, personID).run()
    }
}
