package ghpkg

/*
#include "ghpkg.h"
*/
import "C"

import (
	"encoding/json"
	"strconv"
	"time"
)

// PackageType is a GitHub Packages registry, spelled as GitHub does.
type PackageType string

// The registries. Gradle packages are Maven; ghcr.io images are Container.
const (
	Npm       PackageType = "npm"
	Maven     PackageType = "maven"
	RubyGems  PackageType = "rubygems"
	Docker    PackageType = "docker"
	NuGet     PackageType = "nuget"
	Container PackageType = "container"
)

var packageTypes = []struct {
	t PackageType
	c C.ghpkg_package_type
}{
	{Npm, C.GHPKG_PACKAGE_TYPE_NPM},
	{Maven, C.GHPKG_PACKAGE_TYPE_MAVEN},
	{RubyGems, C.GHPKG_PACKAGE_TYPE_RUBYGEMS},
	{Docker, C.GHPKG_PACKAGE_TYPE_DOCKER},
	{NuGet, C.GHPKG_PACKAGE_TYPE_NUGET},
	{Container, C.GHPKG_PACKAGE_TYPE_CONTAINER},
}

func (t PackageType) c() (C.ghpkg_package_type, error) {
	for _, p := range packageTypes {
		if p.t == t {
			return p.c, nil
		}
	}
	return 0, localError(KindInvalidArgument,
		"unknown package type "+strconv.Quote(string(t))+"; expected one of: npm, maven, rubygems, docker, nuget, container")
}

func packageTypeFrom(c C.ghpkg_package_type) PackageType {
	for _, p := range packageTypes {
		if p.c == c {
			return p.t
		}
	}
	return ""
}

// Visibility is a package's visibility, or a listing's visibility filter.
type Visibility string

// The visibilities; AnyVisibility lists every package.
const (
	AnyVisibility Visibility = ""
	Public        Visibility = "public"
	Private       Visibility = "private"
	Internal      Visibility = "internal"
)

var visibilities = []struct {
	v Visibility
	c C.ghpkg_visibility
}{
	{AnyVisibility, C.GHPKG_VISIBILITY_ANY},
	{Public, C.GHPKG_VISIBILITY_PUBLIC},
	{Private, C.GHPKG_VISIBILITY_PRIVATE},
	{Internal, C.GHPKG_VISIBILITY_INTERNAL},
}

func (v Visibility) c() (C.ghpkg_visibility, error) {
	for _, x := range visibilities {
		if x.v == v {
			return x.c, nil
		}
	}
	return 0, localError(KindInvalidArgument,
		"unknown visibility "+strconv.Quote(string(v))+"; expected one of: public, private, internal")
}

func visibilityFrom(c C.ghpkg_visibility) Visibility {
	for _, x := range visibilities {
		if x.c == c {
			return x.v
		}
	}
	return ""
}

// VersionState selects which versions a version listing returns.
type VersionState string

// DefaultState lets GitHub choose (active versions); DeletedVersions are
// those deleted in the last 30 days, which can be restored.
const (
	DefaultState    VersionState = ""
	ActiveVersions  VersionState = "active"
	DeletedVersions VersionState = "deleted"
)

func (s VersionState) c() (C.ghpkg_version_state, error) {
	switch s {
	case DefaultState:
		return C.GHPKG_VERSION_STATE_DEFAULT, nil
	case ActiveVersions:
		return C.GHPKG_VERSION_STATE_ACTIVE, nil
	case DeletedVersions:
		return C.GHPKG_VERSION_STATE_DELETED, nil
	}
	return 0, localError(KindInvalidArgument,
		"unknown version state "+strconv.Quote(string(s))+"; expected one of: active, deleted")
}

// Owner is whose packages a call is about. The zero value is the
// authenticated user.
type Owner struct {
	kind  C.ghpkg_owner_kind
	login string
}

// AuthenticatedUser is the user the credentials belong to (/user/...).
var AuthenticatedUser = Owner{}

// Org is an organization (/orgs/{login}/...).
func Org(login string) Owner { return Owner{kind: C.GHPKG_OWNER_ORG, login: login} }

// User is a user (/users/{login}/...).
func User(login string) Owner { return Owner{kind: C.GHPKG_OWNER_USER, login: login} }

// String describes the owner.
func (o Owner) String() string {
	switch o.kind {
	case C.GHPKG_OWNER_ORG:
		return "org " + strconv.Quote(o.login)
	case C.GHPKG_OWNER_USER:
		return "user " + strconv.Quote(o.login)
	}
	return "the authenticated user"
}

// MarshalJSON writes the owner as a policy names it: "me", {"org": LOGIN}
// or {"user": LOGIN}.
func (o Owner) MarshalJSON() ([]byte, error) {
	switch o.kind {
	case C.GHPKG_OWNER_ORG:
		return json.Marshal(map[string]string{"org": o.login})
	case C.GHPKG_OWNER_USER:
		return json.Marshal(map[string]string{"user": o.login})
	}
	return []byte(`"me"`), nil
}

// UnmarshalJSON reads an owner as a policy names it: "me", {"org": LOGIN}
// or {"user": LOGIN}.
func (o *Owner) UnmarshalJSON(data []byte) error {
	var me string
	if json.Unmarshal(data, &me) == nil {
		if me != "me" {
			return localError(KindDecode, "an owner is \"me\", {\"org\": ...} or {\"user\": ...}, not "+strconv.Quote(me))
		}
		*o = AuthenticatedUser
		return nil
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil || len(m) != 1 {
		return localError(KindDecode, "an owner is \"me\", {\"org\": ...} or {\"user\": ...}")
	}
	if login, ok := m["org"]; ok {
		*o = Org(login)
		return nil
	}
	if login, ok := m["user"]; ok {
		*o = User(login)
		return nil
	}
	return localError(KindDecode, "an owner is \"me\", {\"org\": ...} or {\"user\": ...}")
}

// Login is the owner's login; "" for the authenticated user.
func (o Owner) Login() string { return o.login }

// Account is a GitHub user or organization as a package's owner.
type Account struct {
	Login string
	ID    uint64
	// Type is "User" or "Organization".
	Type    string
	HTMLURL string
}

// Repository is the repository a package is linked to.
type Repository struct {
	ID       uint64
	Name     string
	FullName string // owner/name
	HTMLURL  string
	Private  bool
}

// Package is a package in a GitHub Packages registry.
type Package struct {
	ID           uint64
	Name         string // the raw name; container names may contain '/'
	PackageType  PackageType
	Visibility   Visibility
	URL          string
	HTMLURL      string
	VersionCount uint64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Owner        *Account    // nil when GitHub sent none
	Repository   *Repository // nil when the package has none
	// Raw is the whole object as GitHub sent it, fields ghpkg does not model included.
	Raw json.RawMessage
}

// Version is a version of a package. For containers Name is the manifest digest.
type Version struct {
	ID             uint64
	Name           string
	URL            string
	PackageHTMLURL string
	HTMLURL        string // "" when GitHub sent none
	License        string // "" when the registry reports none
	Description    string // "" when the registry reports none
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeletedAt      time.Time   // zero unless listed with DeletedVersions
	PackageType    PackageType // from the version's metadata; "" when absent
	Tags           []string    // container or docker tags
	// Raw is the whole object as GitHub sent it.
	Raw json.RawMessage
}

// IsUntagged reports whether the version has no tags. Deleting an untagged
// container version can break a tagged multi-arch image that refers to it.
func (v *Version) IsUntagged() bool { return len(v.Tags) == 0 }

func unix(s C.int64_t) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0).UTC()
}

// packageFrom copies a package out of C; the caller frees the handle.
func packageFrom(p *C.ghpkg_package) *Package {
	out := &Package{
		ID:           uint64(C.ghpkg_package_id(p)),
		Name:         goString(C.ghpkg_package_name(p)),
		PackageType:  packageTypeFrom(C.ghpkg_package_package_type(p)),
		Visibility:   visibilityFrom(C.ghpkg_package_visibility(p)),
		URL:          goString(C.ghpkg_package_url(p)),
		HTMLURL:      goString(C.ghpkg_package_html_url(p)),
		VersionCount: uint64(C.ghpkg_package_version_count(p)),
		CreatedAt:    unix(C.ghpkg_package_created_at(p)),
		UpdatedAt:    unix(C.ghpkg_package_updated_at(p)),
		Raw:          json.RawMessage(goString(C.ghpkg_package_json(p))),
	}
	if login := C.ghpkg_package_owner_login(p); login != nil {
		out.Owner = &Account{
			Login:   C.GoString(login),
			ID:      uint64(C.ghpkg_package_owner_id(p)),
			Type:    goString(C.ghpkg_package_owner_type(p)),
			HTMLURL: goString(C.ghpkg_package_owner_html_url(p)),
		}
	}
	if full := C.ghpkg_package_repository_full_name(p); full != nil {
		out.Repository = &Repository{
			ID:       uint64(C.ghpkg_package_repository_id(p)),
			Name:     goString(C.ghpkg_package_repository_name(p)),
			FullName: C.GoString(full),
			HTMLURL:  goString(C.ghpkg_package_repository_html_url(p)),
			Private:  bool(C.ghpkg_package_repository_private(p)),
		}
	}
	return out
}

// versionFrom copies a version out of C; the caller frees the handle.
func versionFrom(v *C.ghpkg_version) *Version {
	out := &Version{
		ID:             uint64(C.ghpkg_version_id(v)),
		Name:           goString(C.ghpkg_version_name(v)),
		URL:            goString(C.ghpkg_version_url(v)),
		PackageHTMLURL: goString(C.ghpkg_version_package_html_url(v)),
		HTMLURL:        goString(C.ghpkg_version_html_url(v)),
		License:        goString(C.ghpkg_version_license(v)),
		Description:    goString(C.ghpkg_version_description(v)),
		CreatedAt:      unix(C.ghpkg_version_created_at(v)),
		UpdatedAt:      unix(C.ghpkg_version_updated_at(v)),
		DeletedAt:      unix(C.ghpkg_version_deleted_at(v)),
		PackageType:    packageTypeFrom(C.ghpkg_version_package_type(v)),
		Raw:            json.RawMessage(goString(C.ghpkg_version_json(v))),
	}
	n := int(C.ghpkg_version_tag_count(v))
	out.Tags = make([]string, 0, n)
	for i := 0; i < n; i++ {
		out.Tags = append(out.Tags, goString(C.ghpkg_version_tag(v, C.size_t(i))))
	}
	return out
}
