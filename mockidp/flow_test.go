package mockidp

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// flowClient runs code flows against one server and returns errors instead
// of failing a test, so that it can run in many goroutines and benchmarks.
type flowClient struct {
	http        *http.Client
	authorize   string
	token       string
	endSession  string
	clientID    string
	secret      string
	redirectURI string
}

func newFlowClient(idp *Server) *flowClient {
	jar, _ := cookiejar.New(nil) // cookiejar.New never fails without options
	c := idp.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &flowClient{http: c, authorize: idp.Issuer() + pathAuthorize,
		token: idp.Issuer() + pathToken, endSession: idp.Issuer() + pathEndSession,
		clientID: "app", secret: "app-secret", redirectURI: appRedirect}
}

// code sends an authorization request, picks username on the login page
// when one is shown, and returns the code.
func (f *flowClient) code(username string) (string, error) {
	params := url.Values{"client_id": {f.clientID}, "redirect_uri": {f.redirectURI},
		"response_type": {"code"}, "scope": {"openid profile email"}, "state": {"s"},
		"nonce": {"n"}}
	resp, err := f.http.Get(f.authorize + "?" + params.Encode())
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusOK {
		m := loginPageRequest.FindSubmatch(body)
		if m == nil {
			return "", fmt.Errorf("authorize: 200 without a login page")
		}
		resp, err = f.http.PostForm(strings.Replace(f.authorize, pathAuthorize, pathLogin, 1),
			url.Values{"request": {string(m[1])}, "pick": {username}})
		if err != nil {
			return "", err
		}
		resp.Body.Close()
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return "", fmt.Errorf("authorize: status %d, no code in %q", resp.StatusCode,
			resp.Header.Get("Location"))
	}
	return loc.Query().Get("code"), nil
}

// exchange redeems a code with client_secret_post and returns the response.
func (f *flowClient) exchange(code string) (map[string]any, error) {
	return f.tokenRequest(url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {f.redirectURI}})
}

func (f *flowClient) refresh(token string) (map[string]any, error) {
	return f.tokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

func (f *flowClient) tokenRequest(form url.Values) (map[string]any, error) {
	form.Set("client_id", f.clientID)
	form.Set("client_secret", f.secret)
	resp, err := f.http.PostForm(f.token, form)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("token response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("token status %d: %v", resp.StatusCode, body)
	}
	return body, nil
}

// logout ends the IdP session of the client's cookie.
func (f *flowClient) logout() error {
	resp, err := f.http.Get(f.endSession)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("logout status %d", resp.StatusCode)
	}
	return nil
}

// countJWTs returns how many values of a token response are JWTs.
func countJWTs(tokens map[string]any) int {
	n := 0
	for _, key := range []string{"access_token", "id_token", "refresh_token"} {
		if s, ok := tokens[key].(string); ok && strings.Count(s, ".") == 2 {
			n++
		}
	}
	return n
}
