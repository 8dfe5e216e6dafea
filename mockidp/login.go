package mockidp

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"regexp"
)

// The login page has stable element ids for browser automation:
//
//	#login-form      the username and password form
//	#username        username field, labelled "Username"
//	#password        password field, labelled "Password"
//	#sign-in         submit button of that form
//	#pick-form       the form listing the users
//	#pick-NAME       one button per user; NAME is the username with every
//	                 character outside A-Z a-z 0-9 - _ replaced by _
//	#cancel          button that denies the request (error=access_denied)
//	#error           the error message after a failed attempt (role=alert)
var loginPage = template.Must(template.New("login").Funcs(template.FuncMap{
	"elementID": elementID,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - mockidp</title></head>
<body>
<main>
<h1>Sign in</h1>
<p>Client: <code id="client-id">{{.ClientID}}</code></p>
{{if .Error}}<p id="error" role="alert">{{.Error}}</p>{{end}}
<form id="login-form" method="post" action="{{.Action}}">
<input type="hidden" name="request" value="{{.Request}}">
<p><label for="username">Username</label>
<input id="username" name="username" autocomplete="username" autofocus required></p>
<p><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button id="sign-in" type="submit">Sign in</button></p>
</form>
{{if .Users}}<h2 id="pick-heading">Or pick a user</h2>
<form id="pick-form" method="post" action="{{.Action}}" aria-labelledby="pick-heading">
<input type="hidden" name="request" value="{{.Request}}">
<ul>{{range .Users}}
<li><button id="pick-{{elementID .Username}}" name="pick" value="{{.Username}}" type="submit">
{{.Username}}{{if .Name}} ({{.Name}}){{end}}{{if .Email}} &lt;{{.Email}}&gt;{{end}}</button></li>
{{- end}}
</ul>
</form>{{end}}
<form id="cancel-form" method="post" action="{{.Action}}">
<input type="hidden" name="request" value="{{.Request}}">
<button id="cancel" name="cancel" value="1" type="submit">Cancel</button>
</form>
</main>
</body>
</html>
`))

var messagePage = template.Must(template.New("message").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}} - mockidp</title></head>
<body><main>
<h1 id="title">{{.Title}}</h1>
<p id="message">{{.Message}}</p>
</main></body>
</html>
`))

var nonIDChars = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// elementID maps a username to the suffix of its button id.
func elementID(username string) string {
	return nonIDChars.ReplaceAllString(username, "_")
}

// renderLogin shows the login page for the pending request id.
func (s *Server) renderLogin(w http.ResponseWriter, status int, id, errMsg string) {
	s.st.mu.Lock()
	users := make([]User, 0, len(s.st.order))
	for _, name := range s.st.order {
		if u, ok := s.st.users[name]; ok {
			users = append(users, u)
		}
	}
	var clientID string
	if req, ok := s.st.pending[id]; ok {
		clientID = req.clientID
	}
	s.st.mu.Unlock()
	data := map[string]any{
		"Action":   s.issuerPath + pathLogin,
		"Request":  id,
		"ClientID": clientID,
		"Users":    users,
		"Error":    errMsg,
	}
	writeHTML(w, status)
	if err := loginPage.Execute(w, data); err != nil {
		s.logger.Warn("mockidp writing login page failed", "err", err)
	}
}

// renderMessage shows an error or information page to the user.
func (s *Server) renderMessage(w http.ResponseWriter, status int, title, message string) {
	writeHTML(w, status)
	if err := messagePage.Execute(w, map[string]string{"Title": title, "Message": message}); err != nil {
		s.logger.Warn("mockidp writing page failed", "err", err)
	}
}

func writeHTML(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
}

// handleLogin processes the login page: a picked user, a username and
// password, or a cancel.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	id := r.PostForm.Get("request")
	now := s.Now()
	s.st.mu.Lock()
	req, ok := s.st.pending[id]
	if ok && !now.Before(req.expires) {
		delete(s.st.pending, id)
		ok = false
	}
	s.st.mu.Unlock()
	if !ok {
		s.renderMessage(w, http.StatusBadRequest, "Login expired",
			"This login request is unknown or expired. Start again from the application.")
		return
	}
	if fault, ok := faultFrom(r.Context()); ok && fault.Error != "" {
		s.finishPending(id)
		s.redirectWithError(w, r, req, fault.Error, fault.ErrorDescription)
		return
	}
	if r.PostForm.Has("cancel") {
		s.finishPending(id)
		s.redirectWithError(w, r, req, "access_denied", "the user cancelled the login")
		return
	}
	user, ok := s.checkCredentials(r)
	if !ok {
		s.logger.Info("mockidp login failed", "username", r.PostForm.Get("username"))
		s.renderLogin(w, http.StatusUnauthorized, id, "Invalid username or password.")
		return
	}
	s.finishPending(id)
	s.issueCode(w, r, req, s.startSession(w, r, user, now))
}

// checkCredentials returns the picked user, or the user whose username and
// password were typed. Picking needs no password, by design: the page is a
// test fixture that lists every user. A user without a password accepts any
// password.
func (s *Server) checkCredentials(r *http.Request) (User, bool) {
	name := r.PostForm.Get("pick")
	picked := name != ""
	if !picked {
		name = r.PostForm.Get("username")
	}
	s.st.mu.Lock()
	user, ok := s.st.users[name]
	s.st.mu.Unlock()
	if !ok || picked || user.Password == "" {
		return user, ok
	}
	given := r.PostForm.Get("password")
	return user, subtle.ConstantTimeCompare([]byte(given), []byte(user.Password)) == 1
}

func (s *Server) finishPending(id string) {
	s.st.mu.Lock()
	delete(s.st.pending, id)
	s.st.mu.Unlock()
}
